/* A build without libyaml: yaml.c compiled here once more with the feature
 * switched off (its functions renamed so they sit beside the real ones)
 * must refuse with LLMOPS_E_UNSUPPORTED and say why. */
#include "llmops_config.h"
#undef LLMOPS_HAVE_YAML
#define LLMOPS_HAVE_YAML 0
#define llmops__yaml_parse noyaml_parse
#define llmops__yaml_pos_of noyaml_pos_of
#define llmops__yaml_key_pos_of noyaml_key_pos_of
#define llmops__yaml_positions_free noyaml_positions_free
#include "config/yaml.c"

#include <criterion/criterion.h>

Test(yaml_unsupported, parse_refuses_with_a_reason)
{
    llmops_json_doc *doc = (llmops_json_doc *)1;
    llmops__yaml_positions *pos = (llmops__yaml_positions *)1;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_expect_eq(noyaml_parse("a: 1", 4, &doc, &pos, &err), LLMOPS_E_UNSUPPORTED);
    cr_expect_null(doc);
    cr_expect_null(pos);
    cr_expect_str_eq(err.data, "YAML support is not built into this libllmops (configure with "
                               "libyaml: meson -Dyaml=enabled)");
    cr_expect_null(noyaml_pos_of(NULL, NULL));
    cr_expect_null(noyaml_key_pos_of(NULL, NULL));
    noyaml_positions_free(NULL);
    llmops__buf_free(&err);
}
