"""`sitrep_paragraphs`: sentence boundaries at paragraph and headline breaks, before the parser.

News text keeps one paragraph per block; the statistical parser happily runs a headline into
the first paragraph ("Rebels seize X as army pulls out\\n\\nThe group said ..."), and every later
stage then reads one long, wrong sentence. This component marks a sentence start:

- after a blank line (a whitespace token holding two or more newlines), always;
- after a single newline when the previous line ends a sentence (. ! ? : or a closing quote)
  or is a short title-like line (no final punctuation, at most ``max_title_words`` words) and the
  next line starts with a capital letter, digit or quote mark.

The parser respects ``is_sent_start`` set before it runs, so only these boundaries are forced.
"""
from __future__ import annotations

from spacy.language import Language

from sitrep.nlp.doctext import doc_text

_ENDS = set('.!?:"”’)»')
_OPENERS = set('"“‘\'«(')


@Language.factory("sitrep_paragraphs", default_config={"max_title_words": 16})
def make_paragraphs(nlp: Language, name: str, max_title_words: int):
    return ParagraphBreaks(max_title_words)


class ParagraphBreaks:
    def __init__(self, max_title_words: int = 16):
        self.max_title_words = max_title_words

    def setup(self, **_):  # same interface as the other sitrep components
        pass

    def __call__(self, doc):
        text = doc_text(doc)
        for i, tok in enumerate(doc[:-1]):
            ws = tok.text_with_ws[len(tok.text):] if not tok.is_space else tok.text_with_ws
            if "\n" not in ws:
                continue
            nxt = doc[i + 1]
            if nxt.is_space:
                continue
            if ws.count("\n") >= 2 or self._line_break_ends_sentence(text, tok, nxt):
                nxt.is_sent_start = True
        return doc

    def _line_break_ends_sentence(self, text: str, tok, nxt) -> bool:
        first = nxt.text[:1]
        if not (first.isupper() or first.isdigit() or first in _OPENERS):
            return False
        prev = tok
        while prev.is_space and prev.i > 0:
            prev = prev.doc[prev.i - 1]
        if prev.text[-1:] in _ENDS:
            return True
        line_start = text.rfind("\n", 0, prev.idx) + 1
        return len(text[line_start:prev.idx + len(prev.text)].split()) <= self.max_title_words
