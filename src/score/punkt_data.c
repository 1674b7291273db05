/* punkt_data.c - the English punkt model (data/punkt/english, NLTK Data's
 * punkt in its punkt_tab text form, MIT License: see its README), built
 * into the binary as four NUL-terminated texts for ifeval_punkt.c. The
 * Makefile makes this object depend on the data files. */

__asm__(".section .rodata\n"
        ".global punkt_en_abbrev_types\n"
        "punkt_en_abbrev_types:\n"
        ".incbin \"data/punkt/english/abbrev_types.txt\"\n"
        ".byte 0\n"
        ".global punkt_en_collocations\n"
        "punkt_en_collocations:\n"
        ".incbin \"data/punkt/english/collocations.tab\"\n"
        ".byte 0\n"
        ".global punkt_en_sent_starters\n"
        "punkt_en_sent_starters:\n"
        ".incbin \"data/punkt/english/sent_starters.txt\"\n"
        ".byte 0\n"
        ".global punkt_en_ortho_context\n"
        "punkt_en_ortho_context:\n"
        ".incbin \"data/punkt/english/ortho_context.tab\"\n"
        ".byte 0\n"
        ".previous\n");
