"""A real OpenAI-compatible HTTP server on 127.0.0.1, scripted per test (a shipped test double).

The openai SDK talks to it over HTTP exactly as it talks to DeepSeek or a local vLLM, streaming
included, so tests exercise retries, timeouts, SSE parsing and error mapping for real. It can also
behave like the local servers users run: llama-cpp-python (one slot, a waiting request cuts the
stream being generated, no /props, no usage in streams) or llama.cpp's llama-server (`total_slots`
on /props), and like broken ones (cut streams, garbage SSE data, answers echoing the prompt). It also serves
the Batch API as OpenAI, DashScope, Zhipu and Kimi do: `/v1/files` (multipart upload, content
download) and `/v1/batches` (create, retrieve moving validating → in_progress → completed, cancel),
each line answered by the same script as a live request, in shuffled order if asked, with failed and
expired lines in the error file.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Stable defaults an OpenAI-style server puts in an error body, by status.
_ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_request", "Bad request."),
    401: ("authentication_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("permission_error", "permission_denied", "You are not allowed to use this model."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: ("rate_limit_error", "rate_limit_exceeded", "Rate limit reached, please slow down."),
}
_SERVER_ERROR = ("server_error", "internal_error", "The server had an error processing your request.")


@dataclass
class Reply:
    """One scripted answer to a chat completion request."""

    content: str = ""
    status: int = 200            # non-200: an OpenAI-style JSON error body; content is its message
    delay: float = 0.0           # seconds before the response starts
    chunk_delay: float = 0.0     # seconds between stream chunks
    finish_reason: str = "stop"  # "length" for truncation
    reasoning: str | None = None  # sent as reasoning_content (DeepSeek-R1 style) before content
    usage: dict | None = None    # sent as given (missing token counts filled in); None: computed
    retry_after_ms: int | None = None  # the retry-after-ms header, honoured by the SDK
    chunk_size: int = 6          # characters per SSE content chunk
    cut_after: int | None = None  # end the stream after this many content chunks: no finish_reason, no [DONE]
    drop: bool = False           # with cut_after: drop the connection instead of ending the body cleanly
    garbage: str | None = None   # an SSE data line that is not JSON, sent after the first chunk
    echo_lines: int = 0          # start the answer with this many lines of the last user message
    echo_primer: bool = False    # start the answer with the request's first assistant message
    expire: bool = False         # in a batch: not done before the completion window ended (batch "expired")


@dataclass
class RecordedRequest:
    """A request as the server received it (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


@dataclass
class Upload:
    """A file uploaded to /v1/files."""

    id: str
    filename: str
    purpose: str
    content: bytes

    @property
    def lines(self) -> list[dict]:
        """The JSONL lines of the file, parsed."""
        return [json.loads(line) for line in self.content.decode("utf-8").splitlines() if line.strip()]


@dataclass
class _Batch:
    """A batch on the server: its lines, state and result files."""

    id: str
    input_file_id: str
    endpoint: str
    lines: list[dict]
    created_at: int
    status: str = "validating"
    polls: int = 0
    errors: dict | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0
    metadata: dict | None = None

    def view(self) -> dict:
        """The batch object as the API returns it."""
        return {"id": self.id, "object": "batch", "endpoint": self.endpoint, "errors": self.errors,
                "input_file_id": self.input_file_id, "completion_window": "24h", "status": self.status,
                "output_file_id": self.output_file_id, "error_file_id": self.error_file_id,
                "created_at": self.created_at, "expires_at": self.created_at + 86400,
                "request_counts": {"total": len(self.lines), "completed": self.completed, "failed": self.failed},
                "metadata": self.metadata}


Script = Callable[[dict], Reply] | Sequence[Reply] | None
BATCH_DONE = ("completed", "failed", "expired", "cancelled")


class FakeOpenAIServer:
    """An OpenAI-compatible server in a daemon thread; use as a context manager."""

    def __init__(self, script: Script = None, *, models: Sequence[str] = ("test-model",),
                 api_key: str | None = None, slots: int | None = None, interrupt: bool = False,
                 total_slots: int | None = None, stream_usage: bool = True, batch_api: bool = True,
                 batch_polls: int = 1, shuffle: bool = False):
        # script: a function of the request body, replies consumed in order (the last repeats),
        # or None for a fixed answer. models: ids served by /v1/models; a chat request for any
        # other model gets 404 (pass models=() to accept any). api_key: when set, requests must
        # carry it as a bearer token, else 401 with the key masked in the message (as OpenAI does).
        # slots: chat requests answered at once (None: any number); the others wait for a slot.
        # interrupt: a request waiting for a slot cuts the stream being generated, as
        # llama-cpp-python does by default ([DONE] without a finish_reason). total_slots: what GET
        # /props reports (llama.cpp's llama-server); None answers /props with 404, as
        # llama-cpp-python does. stream_usage=False never sends a usage chunk (llama-cpp-python).
        # batch_api=False answers /v1/files and /v1/batches with 404 (DeepSeek, most local servers).
        # batch_polls: retrieves a batch reports in_progress before it completes (the first says
        # validating → in_progress); while `batch_hold` is set it stays in_progress. shuffle: result
        # lines in random order, as real batches return them.
        self.models = tuple(models)
        self.api_key = api_key
        self.interrupt = interrupt
        self.total_slots = total_slots
        self.stream_usage = stream_usage
        self.batch_api = batch_api
        self.batch_polls = batch_polls
        self.batch_hold = False
        self.shuffle = random.Random(15) if shuffle else None
        self.uploads: list[Upload] = []
        self._batches: dict[str, _Batch] = {}
        self._files: dict[str, Upload] = {}
        self.requests: list[RecordedRequest] = []
        self.peak_in_flight = 0
        self.peak_generating = 0  # chat requests holding a slot at once
        self.interrupted = 0      # streams cut because another request was waiting
        self._slots = threading.Semaphore(slots) if slots else None
        self._waiting = 0
        self._generating = 0
        self._script = script if callable(script) or script is None else list(script)
        if isinstance(self._script, list) and not self._script:
            raise ValueError("script needs at least one Reply")
        self._served = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        self._ids = itertools.count(1)
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-openai-{self.port}", daemon=True)
        self._thread.start()

    def __enter__(self) -> FakeOpenAIServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving: wake delayed replies, drop open connections, join every thread."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()  # joins the handler threads (block_on_close)
        self._thread.join()

    @property
    def chat_requests(self) -> list[dict]:
        """Bodies of the /chat/completions requests, in arrival order."""
        with self._lock:
            return [r.body for r in self.requests
                    if r.path.endswith("/chat/completions") and r.body is not None]

    @property
    def batches(self) -> list[dict]:
        """Every batch created, as the API shows it now, in creation order."""
        with self._lock:
            return [b.view() for b in self._batches.values()]

    @property
    def batch_inputs(self) -> list[list[dict]]:
        """The request lines of every batch created, in creation order."""
        with self._lock:
            return [list(b.lines) for b in self._batches.values()]

    # -- internals used by the handler -------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _next_reply(self, body: dict) -> Reply:
        if self._script is None:
            return Reply(content="这是测试服务器的固定回答。")
        if callable(self._script):
            return self._script(body)
        with self._lock:
            reply = self._script[min(self._served, len(self._script) - 1)]
            self._served += 1
        return reply

    def _next_id(self) -> str:
        return f"chatcmpl-test-{next(self._ids)}"

    def _take_slot(self) -> None:
        with self._lock:
            self._waiting += 1
        try:
            while self._slots is not None and not self._slots.acquire(timeout=0.02):
                if self._stop.is_set():
                    raise _ClientGone
        finally:
            with self._lock:
                self._waiting -= 1
        with self._lock:
            self._generating += 1
            self.peak_generating = max(self.peak_generating, self._generating)

    def _free_slot(self) -> None:
        with self._lock:
            self._generating -= 1
        if self._slots is not None:
            self._slots.release()

    def _someone_waiting(self) -> bool:
        with self._lock:
            return self.interrupt and self._waiting > 0


    # -- the Batch API ----------------------------------------------------------------------

    def _upload(self, filename: str, purpose: str, content: bytes) -> Upload:
        with self._lock:
            upload = Upload(f"file-test-{len(self._files) + 1}", filename, purpose, content)
            self._files[upload.id] = upload
            self.uploads.append(upload)
        return upload

    def _file(self, file_id: str) -> Upload | None:
        with self._lock:
            return self._files.get(file_id)

    def _create_batch(self, input_file_id: str, endpoint: str, metadata: dict | None) -> _Batch:
        upload = self._file(input_file_id)
        problems, lines = [], []
        seen: set[str] = set()
        for number, line in enumerate(upload.content.decode("utf-8").splitlines(), start=1):
            try:
                request = json.loads(line)
            except ValueError:
                problems.append({"code": "invalid_json_line", "message": "This line is not valid JSON.",
                                 "line": number})
                continue
            custom_id = request.get("custom_id")
            if (not isinstance(custom_id, str) or custom_id in seen or request.get("method") != "POST"
                    or request.get("url") != endpoint or not isinstance(request.get("body"), dict)):
                problems.append({"code": "invalid_request", "line": number,
                                 "message": "custom_id must be unique, method POST, url the batch's endpoint."})
                continue
            seen.add(custom_id)
            lines.append(request)
        with self._lock:
            batch = _Batch(f"batch_test_{len(self._batches) + 1}", input_file_id, endpoint, lines,
                           int(time.time()), metadata=metadata)
            if problems:
                batch.status, batch.errors = "failed", {"object": "list", "data": problems}
            self._batches[batch.id] = batch
        return batch

    def _retrieve_batch(self, batch_id: str, *, cancel: bool = False) -> dict | None:
        """The batch after one more step: validating → in_progress → completed (or cancelling → cancelled)."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            step = batch.status
            if cancel and step not in BATCH_DONE:
                batch.status = "cancelling"
            elif step == "cancelling":
                batch.status = "cancelled"
            elif step == "validating":
                batch.status = "in_progress"
            elif step == "in_progress" and not self.batch_hold:
                batch.polls += 1
            finish = batch.status == "in_progress" and batch.polls >= self.batch_polls and not self.batch_hold
        if finish:
            self._finish_batch(batch)  # outside the lock: the script runs as for a live request
        with self._lock:
            return batch.view()

    def _finish_batch(self, batch: _Batch) -> None:
        outputs, errors, expired = [], [], False
        for number, request in enumerate(batch.lines, start=1):
            result = {"id": f"batch_req_{batch.id}_{number}", "custom_id": request["custom_id"], "error": None}
            body = request["body"]
            reply = (Reply(status=404, content=f"The model `{body.get('model')}` does not exist.")
                     if self.models and body.get("model") not in self.models else self._next_reply(body))
            if reply.expire:
                expired = True
                errors.append({**result, "response": None, "error": {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the completion window expired."}})
                continue
            if reply.status != 200:
                kind, code, message = _ERROR_KINDS.get(reply.status, _SERVER_ERROR)
                errors.append({**result, "response": {"status_code": reply.status, "request_id": result["id"],
                               "body": {"error": {"message": reply.content or message, "type": kind,
                                                  "param": None, "code": code}}}})
                continue
            reply = dataclasses.replace(reply, content=_echoed(body, reply) + reply.content)
            message = {"role": "assistant", "content": reply.content}
            if reply.reasoning is not None:
                message["reasoning_content"] = reply.reasoning
            completion = {"id": self._next_id(), "object": "chat.completion", "created": int(time.time()),
                          "model": body.get("model"), "usage": _usage(body, reply),
                          "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}]}
            outputs.append({**result, "response": {"status_code": 200, "request_id": result["id"],
                                                   "body": completion}})
        if self.shuffle is not None:
            self.shuffle.shuffle(outputs)
            self.shuffle.shuffle(errors)

        def jsonl(lines: list[dict], kind: str) -> str | None:
            if not lines:
                return None
            text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
            return self._upload(f"{batch.id}_{kind}.jsonl", "batch_output", text.encode("utf-8")).id

        output_id, error_id = jsonl(outputs, "output"), jsonl(errors, "error")
        with self._lock:
            batch.output_file_id, batch.error_file_id = output_id, error_id
            batch.completed, batch.failed = len(outputs), len(errors)
            batch.status = "expired" if expired else "completed"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins handler threads: nothing outlives the server
    fake: FakeOpenAIServer


class _ClientGone(Exception):
    """The client closed the connection, or the server is shutting down."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked SSE, like real servers
    timeout = 30                   # an idle keep-alive connection never pins a thread forever
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.fake._lock:
            self.server.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.fake._lock:
            self.server.fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            # A client that abandoned a stream (a cut answer, data it could not parse) resets the
            # kept-alive connection: that ends the connection, it is not a server error to print.
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        fake = self.server.fake
        fake._enter()
        try:
            self._route(fake)
        except (_ClientGone, OSError):
            self.close_connection = True
        finally:
            fake._leave()

    def _route(self, fake: FakeOpenAIServer) -> None:
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        multipart = (self.headers.get("Content-Type") or "").startswith("multipart/form-data")
        try:
            body = json.loads(raw) if raw and not multipart else None
        except ValueError:
            body = None
        fake._record(RecordedRequest(self.command, path,
                                     {k.lower(): v for k, v in self.headers.items()}, body))
        if raw and not multipart and not isinstance(body, dict):
            return self._error(400, "Request body is not a JSON object.")
        if fake.api_key is not None and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._error(401, _auth_message(self.headers.get("Authorization")))
        if self.command == "GET" and path == "/props" and fake.total_slots is not None:
            return self._json(200, {"total_slots": fake.total_slots,
                                    "default_generation_settings": {"n_ctx": 8192}})
        if self.command == "GET" and path == "/v1/models":
            return self._json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": "drafter-test"} for m in fake.models]})
        if self.command == "POST" and path == "/v1/chat/completions" and body is not None:
            return self._chat(fake, body)
        if fake.batch_api and path.startswith(("/v1/files", "/v1/batches")):
            return self._batch_api(fake, path, raw, body)
        return self._error(404, f"Unknown request URL: {self.command} {path}.", code="unknown_url")

    def _batch_api(self, fake: FakeOpenAIServer, path: str, raw: bytes, body: dict | None) -> None:
        parts = path.strip("/").split("/")[1:]  # after "v1"
        if self.command == "POST" and parts == ["files"]:
            return self._upload(fake, raw)
        if self.command == "GET" and parts[0] == "files" and len(parts) in (2, 3):
            upload = fake._file(parts[1])
            if upload is None or (len(parts) == 3 and parts[2] != "content"):
                return self._error(404, f"No such File object: {parts[1]}", code="file_not_found")
            if len(parts) == 2:
                return self._json(200, _file_view(upload))
            return self._bytes(upload.content)
        if self.command == "POST" and parts == ["batches"] and body is not None:
            upload = fake._file(str(body.get("input_file_id")))
            if body.get("completion_window") != "24h" or upload is None or upload.purpose != "batch":
                return self._error(400, "completion_window must be 24h and input_file_id a file with purpose batch.")
            return self._json(200, fake._create_batch(upload.id, str(body.get("endpoint")),
                                                      body.get("metadata")).view())
        if self.command == "GET" and parts == ["batches"]:
            views = fake.batches[::-1]  # newest first, as OpenAI lists them
            return self._json(200, {"object": "list", "data": views, "has_more": False,
                                    "first_id": views[0]["id"] if views else None,
                                    "last_id": views[-1]["id"] if views else None})
        if parts[0] == "batches" and len(parts) in (2, 3):
            cancel = len(parts) == 3 and parts[2] == "cancel" and self.command == "POST"
            view = fake._retrieve_batch(parts[1], cancel=cancel) if cancel or (
                len(parts) == 2 and self.command == "GET") else None
            if view is None:
                return self._error(404, f"No batch found with id '{parts[1]}'.", code="batch_not_found")
            return self._json(200, view)
        return self._error(404, f"Unknown request URL: {self.command} {path}.", code="unknown_url")

    def _upload(self, fake: FakeOpenAIServer, raw: bytes) -> None:
        from email.parser import BytesParser
        from email.policy import HTTP

        header = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        fields = {}
        for part in BytesParser(policy=HTTP).parsebytes(header + raw).iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
        if "file" not in fields or "purpose" not in fields:
            return self._error(400, "Both file and purpose are required.")
        filename, content = fields["file"]
        upload = fake._upload(filename or "upload.jsonl", fields["purpose"][1].decode(), content)
        self._json(200, _file_view(upload))

    def _bytes(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _chat(self, fake: FakeOpenAIServer, body: dict) -> None:
        model = body.get("model")
        if fake.models and model not in fake.models:
            return self._error(404, f"The model `{model}` does not exist or you do not have access to it.")
        fake._take_slot()
        try:
            self._answer(fake, body)
        finally:
            fake._free_slot()

    def _answer(self, fake: FakeOpenAIServer, body: dict) -> None:
        model = body.get("model")
        reply = fake._next_reply(body)
        self._pause(reply.delay)
        if reply.status != 200:
            return self._error(reply.status, reply.content or None, retry_after_ms=reply.retry_after_ms)
        reply = dataclasses.replace(reply, content=_echoed(body, reply) + reply.content)
        usage = _usage(body, reply)
        if body.get("stream"):
            return self._stream(fake, body, reply, usage)
        message = {"role": "assistant", "content": reply.content}
        if reply.reasoning is not None:
            message["reasoning_content"] = reply.reasoning
        self._json(200, {"id": fake._next_id(), "object": "chat.completion", "created": int(time.time()),
                         "model": model, "choices": [{"index": 0, "message": message,
                                                      "finish_reason": reply.finish_reason}],
                         "usage": usage})

    def _stream(self, fake: FakeOpenAIServer, body: dict, reply: Reply, usage: dict) -> None:
        ident, created, model = fake._next_id(), int(time.time()), body.get("model")

        def chunk(choices: list, **extra) -> dict:
            return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": choices, **extra}

        def delta(d: dict, finish: str | None = None) -> dict:
            return chunk([{"index": 0, "delta": d, "finish_reason": finish}])

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [delta({"role": "assistant", "content": ""})]
        size = max(1, reply.chunk_size)
        if reply.reasoning:
            events += [delta({"content": None, "reasoning_content": reply.reasoning[i:i + size]})
                       for i in range(0, len(reply.reasoning), size)]
        content = [delta({"content": reply.content[i:i + size]}) for i in range(0, len(reply.content), size)]
        if reply.cut_after is not None:
            events += content[:reply.cut_after]
            return self._send_events(fake, events, reply, done=False, drop=reply.drop)
        events += content
        events.append(delta({}, reply.finish_reason))
        if fake.stream_usage and (body.get("stream_options") or {}).get("include_usage"):
            events.append(chunk([], usage=usage))
        self._send_events(fake, events, reply, done=True)

    def _send_events(self, fake: FakeOpenAIServer, events: list[dict], reply: Reply, *, done: bool,
                     drop: bool = False) -> None:
        for number, event in enumerate(events):
            if number:
                self._pause(reply.chunk_delay)
            self._chunk(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            if number == 0 and reply.garbage is not None:
                self._chunk(f"data: {reply.garbage}\n\n".encode())
            if fake._someone_waiting():
                # llama-cpp-python: a request waiting for the slot ends this stream with [DONE]
                # and no finish_reason, and takes the slot.
                with fake._lock:
                    fake.interrupted += 1
                done = True
                break
        if drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if done:
            self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _pause(self, seconds: float) -> None:
        # An Event wait, not time.sleep: close() wakes every delayed reply at once.
        if seconds > 0 and self.server.fake._stop.wait(seconds):
            raise _ClientGone

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error(self, status: int, message: str | None, *, code: str | None = None,
               retry_after_ms: int | None = None) -> None:
        kind, default_code, default_message = _ERROR_KINDS.get(status, _SERVER_ERROR)
        headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else None
        self._json(status, {"error": {"message": message or default_message, "type": kind,
                                      "param": None, "code": code or default_code}}, headers)


def _file_view(upload: Upload) -> dict:
    return {"id": upload.id, "object": "file", "bytes": len(upload.content), "created_at": int(time.time()),
            "filename": upload.filename, "purpose": upload.purpose, "status": "processed"}


def _auth_message(authorization: str | None) -> str:
    """OpenAI's wording, which echoes the start and end of the wrong key."""
    if not authorization or not authorization.startswith("Bearer "):
        return "You didn't provide an API key."
    key = authorization[len("Bearer "):]
    shown = key[:3] + "*" * max(4, len(key) - 7) + key[-4:] if len(key) > 8 else "*" * len(key)
    return f"Incorrect API key provided: {shown}. You can find your API key in your account settings."


def _echoed(body: dict, reply: Reply) -> str:
    """What a scripted echo puts before the answer: the primer, lines of the last user message."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict) and isinstance(m.get("content"), str)]
    parts = []
    if reply.echo_primer:
        parts += [m["content"] for m in messages if m.get("role") == "assistant"][:1]
    if reply.echo_lines:
        users = [m["content"] for m in messages if m.get("role") == "user"]
        lines = [line for line in (users[-1] if users else "").split("\n") if line.strip()]
        parts += lines[:reply.echo_lines]
    return "".join(part + "\n" for part in parts)


def _usage(body: dict, reply: Reply) -> dict:
    """The usage block: as scripted, with plausible token counts filled in where missing."""
    prompt_chars = sum(len(m.get("content") or "") for m in body.get("messages") or []
                       if isinstance(m, dict) and isinstance(m.get("content"), str))
    computed = {"prompt_tokens": prompt_chars // 2, "completion_tokens": (len(reply.content) + 1) // 2}
    usage = {**computed, **(reply.usage or {})}
    usage.setdefault("total_tokens", usage["prompt_tokens"] + usage["completion_tokens"])
    return usage
