"""Facts files: the data model, the YAML and Excel readers, and the converter between them.

`load_facts` reads either format; the model types are what every other part of drafter uses.
"""

from drafter.facts.loading import load_facts, write_template
from drafter.facts.model import (
                                 APPROX_WORDS,
                                 KIND_NAMES,
                                 KINDS,
                                 Facts,
                                 Section,
                                 SectionNumbers,
                                 Statement,
                                 summarize_numbers,
)

__all__ = ["APPROX_WORDS", "KINDS", "KIND_NAMES", "Facts", "Section", "SectionNumbers", "Statement",
           "load_facts", "summarize_numbers", "write_template"]
