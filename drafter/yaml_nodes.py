"""YAML written by users, as drafter reads it: the C parser when available, standard tags only,
and aliases that cannot multiply.

PyYAML composes an alias as a second reference to the anchored node, so a 600-byte file whose
anchors each alias the one before nine times is a few dozen nodes in memory and 9^9 once anything
walks, prints or copies it. Every node graph is measured as it would be walked before any of it is
used; a graph that aliases would blow up, or that contains itself, is refused.
"""

from __future__ import annotations

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Nodes that aliases may add to a document when it is walked: far more than anyone writes by hand.
MAX_ALIAS_NODES = 10_000
STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                          ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))


class NodeError(Exception):
    """A node drafter will not read (an odd tag, aliases that multiply); the caller names the file."""

    def __init__(self, message: str, node: yaml.Node, hint: str):
        super().__init__(message)
        self.message = message
        self.line = node.start_mark.line + 1
        self.hint = hint


def compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (None when it is empty), checked by check_nodes."""
    root = yaml.compose(text, Loader=LOADER)
    if root is not None:
        check_nodes(root)
    return root


def load(text: str):
    """The data of one YAML document, constructed only after check_nodes passed its nodes."""
    loader = LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        check_nodes(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def check_nodes(root: yaml.Node) -> None:
    """Raise NodeError for a non-standard tag, a node containing itself, or aliases adding too many nodes."""
    sizes: dict[int, int] = {}  # node id -> nodes it spans when walked, aliases expanded
    refs: dict[int, int] = {id(root): 1}  # node id -> times it is referenced
    nodes: dict[int, yaml.Node] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # depth first without recursion: nesting depth is the user's to choose
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in nodes:
            continue  # reached through another reference first
        if node.tag not in STANDARD_TAGS:
            raise NodeError(f"不支持的 YAML 标签 {_tag(node.tag)}", node,
                            hint="请删掉以 ! 开头的标签，只写文字、数字和列表")
        nodes[key] = node
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise NodeError("别名（*）引用了包含它自己的内容", node, hint="请把别名换成实际内容")
            refs[id(child)] = refs.get(id(child), 0) + 1
            if id(child) not in nodes:
                stack.append((child, False))
    if sizes[id(root)] - len(sizes) > MAX_ALIAS_NODES:
        worst = max((k for k in refs if refs[k] > 1), key=lambda k: (refs[k] - 1) * sizes[k])
        raise NodeError(f"别名（*）展开后的内容过多（超过 {MAX_ALIAS_NODES} 项）", nodes[worst],
                        hint="这一行的锚点（&）被反复引用；请直接写出内容，不要用别名层层引用")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _tag(tag: str) -> str:
    from drafter.errors import excerpt

    return excerpt(tag.replace("tag:yaml.org,2002:", "!!"), 60)
