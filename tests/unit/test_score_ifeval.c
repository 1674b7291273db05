/* Tests of the ifeval scorer: each of the 25 IFEval instruction types
 * passes and fails on hand-made responses, with the expected outcome
 * derived from the rule in google-research instruction_following_eval
 * instructions.py (quoted next to each case); strict vs loose
 * (evaluation_lib.py's eight variants); benchai's own checks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "score/ifeval.h"
#include "test_score_helpers.h"

/* One check of type `type` with kwargs `kw` (JSON members, may be empty). */
static void check1(const char *type, const char *kw, const char *response, int strict, int loose)
{
    char data[2048];
    snprintf(data, sizeof data, "{\"checks\": [{\"type\": \"%s\"%s%s}]}", type, *kw ? ", " : "", kw);
    struct ts_case *c = ts_run("ifeval", data, response);
    cr_assert_eq(c->rc, 0, "%s: %s", type, c->err.msg);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(c->detail, "checks"), 0);
    cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(ch, "strict")), strict,
                 "%s strict on [%s]", type, response);
    cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(ch, "loose")), loose,
                 "%s loose on [%s]", type, response);
    ts_free(c);
}

#define PASS(type, kw, resp) check1(type, kw, resp, 1, 1)
#define FAIL(type, kw, resp) check1(type, kw, resp, 0, 0)

Test(score_ifeval, keywords)
{
    /* re.search(keyword, value, re.IGNORECASE) for every keyword */
    PASS("keywords:existence", "\"keywords\": [\"Alpha\", \"beta\"]", "ALPHA and Beta");
    FAIL("keywords:existence", "\"keywords\": [\"Alpha\", \"beta\"]", "alpha only");
    /* len(re.findall(keyword, value, re.I)): substrings count ("concatenate") */
    PASS("keywords:frequency", "\"keyword\": \"cat\", \"frequency\": 2, \"relation\": \"at least\"",
         "concatenate the cat");
    FAIL("keywords:frequency", "\"keyword\": \"cat\", \"frequency\": 2, \"relation\": \"at least\"", "a Cat");
    PASS("keywords:frequency", "\"keyword\": \"cat\", \"frequency\": 2, \"relation\": \"less than\"", "a Cat");
    /* \bword\b, re.I */
    PASS("keywords:forbidden_words", "\"forbidden_words\": [\"red\"]", "I like reddish tones");
    FAIL("keywords:forbidden_words", "\"forbidden_words\": [\"red\"]", "A Red car");
    /* Counter(value.lower())[letter] */
    PASS("keywords:letter_frequency", "\"letter\": \"z\", \"let_frequency\": 2, \"let_relation\": \"at least\"",
         "Zebra zoo");
    FAIL("keywords:letter_frequency", "\"letter\": \"z\", \"let_frequency\": 2, \"let_relation\": \"at least\"",
         "Zebra");
}

Test(score_ifeval, language)
{
    PASS("language:response_language", "\"language\": \"de\"",
         "Das ist ein Haus und die Katze ist nicht hier, aber sie wird kommen.");
    FAIL("language:response_language", "\"language\": \"de\"", "This is a house and the cat is not here.");
    PASS("language:response_language", "\"language\": \"ru\"", "Это дом, и кошка не здесь.");
    PASS("language:response_language", "\"language\": \"hi\"", "यह एक घर है और बिल्ली यहाँ नहीं है।");
    PASS("language:response_language", "\"language\": \"ja\"", "これは家です。猫はここにいません。");
    PASS("language:response_language", "\"language\": \"ko\"", "이것은 집입니다.");
    /* langdetect finds no features -> the reference counts it as followed */
    PASS("language:response_language", "\"language\": \"fr\"", "12345 !!!");
}

Test(score_ifeval, length_constraints)
{
    /* punkt-like: "Dr." is an abbreviation -> 2 sentences */
    PASS("length_constraints:number_sentences", "\"num_sentences\": 3, \"relation\": \"less than\"",
         "Dr. Smith arrived. He sat down!");
    FAIL("length_constraints:number_sentences", "\"num_sentences\": 3, \"relation\": \"less than\"",
         "One. Two! Three?");
    /* re.split(r"\s?\*\*\*\s?"): ["A", "B"] */
    PASS("length_constraints:number_paragraphs", "\"num_paragraphs\": 2", "A\n***\nB");
    /* leading empty piece dropped: ["", "A", "B"] -> 2 */
    PASS("length_constraints:number_paragraphs", "\"num_paragraphs\": 2", "***\nA\n***\nB");
    /* "A\n***\n***\nB" -> ["A", "", "B"]: empty middle piece -> False */
    FAIL("length_constraints:number_paragraphs", "\"num_paragraphs\": 2", "A\n***\n***\nB");
    /* \w+ tokens */
    PASS("length_constraints:number_words", "\"num_words\": 5, \"relation\": \"at least\"",
         "one two three four five");
    /* "don't stop" -> don, t, stop = 3 */
    FAIL("length_constraints:number_words", "\"num_words\": 4, \"relation\": \"at least\"", "don't stop");
    /* paragraph 2 '"Then, more.' -> first word "then" */
    PASS("length_constraints:nth_paragraph_first_word",
         "\"num_paragraphs\": 2, \"nth_paragraph\": 2, \"first_word\": \"then\"",
         "First part.\n\n\"Then, more.");
    FAIL("length_constraints:nth_paragraph_first_word",
         "\"num_paragraphs\": 2, \"nth_paragraph\": 2, \"first_word\": \"then\"", "First.\n\nNow then.");
    /* three paragraphs when two are required: strict fails; loose "remove
     * last line" leaves "A\n\nThen b", which passes */
    check1("length_constraints:nth_paragraph_first_word",
           "\"num_paragraphs\": 2, \"nth_paragraph\": 2, \"first_word\": \"then\"", "A\n\nThen b\n\nc", 0, 1);
}

Test(score_ifeval, detectable_content)
{
    /* re.findall(r"\[.*?\]") >= n ('.' does not cross a newline) */
    PASS("detectable_content:number_placeholders", "\"num_placeholders\": 2", "Dear [name], at [address]");
    FAIL("detectable_content:number_placeholders", "\"num_placeholders\": 2", "Dear [name\n], at [address]");
    /* on value.lower(): p\.\s?s\. */
    PASS("detectable_content:postscript", "\"postscript_marker\": \"P.S.\"", "Bye.\nP.S. see you");
    FAIL("detectable_content:postscript", "\"postscript_marker\": \"P.S.\"", "Bye. PS see you");
    PASS("detectable_content:postscript", "\"postscript_marker\": \"P.P.S\"", "Bye.\np. p. s. later");
}

Test(score_ifeval, detectable_format)
{
    /* ^\s*\*[^\*].*$ + ^\s*-.*$ == n */
    PASS("detectable_format:number_bullet_lists", "\"num_bullets\": 2", "Intro\n* a\n* b");
    /* 3 bullets: strict fails; loose "remove first line" leaves 2 */
    check1("detectable_format:number_bullet_lists", "\"num_bullets\": 2", "* a\n- b\n- c", 0, 1);
    FAIL("detectable_format:number_bullet_lists", "\"num_bullets\": 2", "* a\n* b\n* c\n* d\n* e");
    /* "**bold**" is not a bullet (second char is '*') */
    FAIL("detectable_format:number_bullet_lists", "\"num_bullets\": 2", "**bold**\n* a");
    PASS("detectable_format:constrained_response", "", "Well. My answer is no.");
    FAIL("detectable_format:constrained_response", "", "Yes.");
    /* single spans: "*x*" (the "**" pairs are empty); double: "**bold**" -> 2 */
    PASS("detectable_format:number_highlighted_sections", "\"num_highlights\": 2", "**bold** text *x*");
    FAIL("detectable_format:number_highlighted_sections", "\"num_highlights\": 2", "*one* and ** ");
    /* len(re.split(r"\s?Section\s?\d+\s?")) - 1 >= n */
    PASS("detectable_format:multiple_sections", "\"section_spliter\": \"Section\", \"num_sections\": 2",
         "Section 1\nfoo\nSection 2\nbar");
    FAIL("detectable_format:multiple_sections", "\"section_spliter\": \"Section\", \"num_sections\": 2",
         "Section one\nSection two");
    PASS("detectable_format:json_format", "", "```json\n{\"a\": [1, 2]}\n```");
    FAIL("detectable_format:json_format", "", "{a: 1}");
    PASS("detectable_format:title", "", "<<My Title>>\ntext");
    FAIL("detectable_format:title", "", "<< >> and <<a\nb>>");
}

Test(score_ifeval, combination_startend_case_punct)
{
    PASS("combination:two_responses", "", "Answer one\n******\nAnswer two");
    FAIL("combination:two_responses", "", "Same\n******\nSame");
    PASS("combination:repeat_prompt", "\"prompt_to_repeat\": \"Write a poem.\"", "write a POEM. Here it is");
    FAIL("combination:repeat_prompt", "\"prompt_to_repeat\": \"Write a poem.\"", "Sure! Write a poem.");
    /* value.strip().strip('"').lower().endswith(phrase.lower()) */
    PASS("startend:end_checker", "\"end_phrase\": \"Any other questions?\"", "Text. any other questions?\"");
    FAIL("startend:end_checker", "\"end_phrase\": \"Any other questions?\"", "Any other questions? Bye");
    PASS("startend:quotation", "", "  \"hello\"\n");
    FAIL("startend:quotation", "", "\"hello");
    /* word_tokenize: "I", "AM" are both upper -> 2 */
    PASS("change_case:capital_word_frequency", "\"capital_frequency\": 2, \"capital_relation\": \"at least\"",
         "so I AM here");
    FAIL("change_case:capital_word_frequency", "\"capital_frequency\": 2, \"capital_relation\": \"at least\"",
         "Hello World");
    PASS("change_case:english_capital", "", "THIS IS ENGLISH AND IT IS THE TEST.");
    FAIL("change_case:english_capital", "", "This is english.");
    /* upper case, but German */
    FAIL("change_case:english_capital", "", "DAS IST EIN HAUS UND DIE KATZE IST NICHT HIER.");
    PASS("change_case:english_lowercase", "", "this is a test of the thing.");
    FAIL("change_case:english_lowercase", "", "This is a test.");
    PASS("punctuation:no_comma", "", "a b");
    FAIL("punctuation:no_comma", "", "a, b");
}

Test(score_ifeval, strict_vs_loose)
{
    /* strict fails on the first line; loose variant "remove first line" parses */
    check1("detectable_format:json_format", "", "Here you go:\n{\"a\": 1}", 0, 1);
    check1("startend:quotation", "", "*Title*\n\"quoted\"", 0, 1);
    /* the last line "[Your Name]" breaks islower(); removing it passes */
    check1("change_case:english_lowercase", "", "hello there, this is the note.\n[Your Name]", 0, 1);
    /* asterisks after the end phrase: loose variant with '*' removed passes */
    check1("startend:end_checker", "\"end_phrase\": \"Is there anything else I can help with?\"",
           "Done. Is there anything else I can help with?\n**", 0, 1);
    /* removing asterisks cannot add highlights: fails both ways */
    check1("detectable_format:number_highlighted_sections", "\"num_highlights\": 1", "plain\ntext\nhere", 0, 0);
}

Test(score_ifeval, ifeval_input_format_and_aggregates)
{
    /* IFEval's own fields, with null kwargs as in the Hugging Face copy */
    struct ts_case *c = ts_run("ifeval",
        "{\"key\": 1, \"prompt\": \"p\", \"instruction_id_list\": [\"punctuation:no_comma\","
        " \"length_constraints:number_words\", \"startend:quotation\"],"
        " \"kwargs\": [{\"num_words\": null}, {\"num_words\": 3, \"relation\": \"less than\"}, {}]}",
        "Title line\n\"short one\"");
    cr_assert_eq(c->rc, 0, "%s", c->err.msg);
    /* no_comma: pass; words: 4 < 3 fails both (the variants have 2 words: loose passes!);
     * quotation: strict fail, loose pass (first line removed) */
    cr_assert_eq(ts_num(c, "strict_count"), 1);
    cr_assert_eq(ts_num(c, "loose_count"), 3);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(c->detail, "strict_all")));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(c->detail, "loose_all")));
    cr_assert(c->res.value > 0.333 && c->res.value < 0.334);   /* strict mode by default */
    ts_free(c);
}

Test(score_ifeval, empty_response_is_unparsed)
{
    struct ts_case *c = ts_run("ifeval", "{\"checks\": [{\"type\": \"punctuation:no_comma\"}]}", " \n ");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    cr_assert_eq(c->res.passed, 0);   /* "response.strip() and ..." fails every check */
    ts_free(c);
}

Test(score_ifeval, unknown_type_and_bad_kwargs)
{
    struct ts_case *c = ts_run("ifeval", "{\"checks\": [{\"type\": \"no_such_check\"}]}", "x");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "unknown type 'no_such_check'") != NULL);
    cr_assert(strstr(c->err.msg, "detectable_format:title") != NULL);   /* lists known types */
    cr_assert(strstr(c->err.msg, "csv_rows") != NULL);
    ts_free(c);
    c = ts_run("ifeval", "{\"checks\": [{\"type\": \"length_constraints:number_words\", \"num_words\": 3,"
                         " \"relation\": \"at most\"}]}", "x");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "relation") != NULL);
    ts_free(c);
}

Test(score_ifeval, benchai_checks)
{
    PASS("bullet_count", "\"n\": 2", "List:\n- a\n  * b\n-c");
    FAIL("bullet_count", "\"n\": 2", "- a");
    PASS("numbered_count", "\"n\": 3", "1. a\n2. b\n 3. c\n4.no");
    PASS("line_count", "\"n\": 2", "a\n\n  \nb\n");
    PASS("word_count", "\"min\": 2, \"max\": 3", "one two three");
    FAIL("word_count", "\"max\": 2", "one two three");
    PASS("sentence_count", "\"min\": 2", "One. Two.");
    PASS("paragraph_count", "\"n\": 2", "a\nb\n\n\nc");
    PASS("forbidden_words", "\"words\": [\"cat\"]", "concatenate");
    FAIL("forbidden_words", "\"words\": [\"c++\"]", "I like C++ a lot");
    PASS("required_words", "\"words\": [\"alpha\", \"beta\"]", "Beta, then ALPHA.");
    PASS("keyword_frequency", "\"word\": \"go\", \"min\": 2, \"max\": 2", "Go, go! gone");
    PASS("lowercase", "", "only lower 123 \xC3\xA9t\xC3\xA9");
    FAIL("lowercase", "", "\xC3\x89t\xC3\xA9");
    PASS("uppercase", "", "ALL CAPS 1");
    PASS("starts_with", "\"text\": \"Dear\"", "  Dear Sir");
    PASS("ends_with", "\"text\": \"Regards\"", "Bye\nRegards \n");
    PASS("no_commas", "", "a b");
    FAIL("no_commas", "", "a\xEF\xBC\x8C" "b");
    PASS("placeholders", "\"min\": 1", "[x]");
    PASS("sections", "\"marker\": \"SECTION\", \"n\": 2", "SECTION 1 a SECTION 2 b");
    FAIL("sections", "\"marker\": \"SECTION\", \"n\": 1", "SECTION 1 a SECTION 2 b");
    PASS("quoted", "", "\"hi\"");
    PASS("highlighted", "\"min\": 1", "*hi*");
    PASS("title", "", "<<T>>");
    PASS("postscript", "\"marker\": \"P.S.\"", "x\nP.S. y");
    PASS("regex", "\"pattern\": \"^\\\\d{3}$\"", "123");
    FAIL("regex", "\"pattern\": \"^\\\\d{3}$\"", "1234");
    PASS("max_chars", "\"n\": 3", "\xC3\xA9\xC3\xA9\xC3\xA9");
    PASS("exact_text", "\"text\": \"Yes\"", " Yes\n");
    PASS("one_of", "\"options\": [\"yes\", \"no\"]", "no");
    FAIL("one_of", "\"options\": [\"yes\", \"no\"]", "No");
    PASS("json_only", "", " {\"a\": 1} ");
    FAIL("json_only", "", "{\"a\": 1} trailing");
    PASS("json_keys", "\"keys\": [\"b\", \"a\"]", "{\"a\": 1, \"b\": 2}");
    FAIL("json_keys", "\"keys\": [\"a\"]", "{\"a\": 1, \"b\": 2}");
    PASS("csv_rows", "\"rows\": 2, \"columns\": 3", "a,b,c\n1,\"x, y\",3\n4,5,6\n");
    FAIL("csv_rows", "\"rows\": 2, \"columns\": 3", "a,b,c\n1,2\n4,5,6");
}

Test(score_ifeval, primitives)
{
    /* \w+: Unicode letters are word chars, combining marks are not (Python) */
    cr_assert_eq(ifeval_count_words("caf\xC3\xA9 na\xC3\xAFve", 12), 2);
    cr_assert_eq(ifeval_count_words("", 0), 0);
    cr_assert_eq(ifeval_count_sentences("No punctuation at all", 21), 1);
    /* punkt's English model (nltk 3.8): an ellipsis before a lower-case
     * word does not end a sentence; "1." before "Mix" does */
    cr_assert_eq(ifeval_count_sentences("Wait... what? Yes.", 18), 2);
    cr_assert_eq(ifeval_count_sentences("Steps:\n1. Mix.\n2. Bake.", 23), 4);
}
