/* The draft 2020-12 meta-schemas, built in so that "$ref" to
 * https://json-schema.org/draft/2020-12/schema (validating a schema as
 * data) and "$schema" vocabulary checks never need the network. Written from
 * the published specification (json-schema.org, draft 2020-12). */
#include <string.h>

#include "schema/internal.h"

#define META "https://json-schema.org/draft/2020-12/"
#define DIALECT "\"$schema\":\"" META "schema\","

static const char meta_schema[] =
    "{" DIALECT "\"$id\":\"" META "schema\","
    "\"$vocabulary\":{\"" META "vocab/core\":true,\"" META "vocab/applicator\":true,"
    "\"" META "vocab/unevaluated\":true,\"" META "vocab/validation\":true,"
    "\"" META "vocab/meta-data\":true,\"" META "vocab/format-annotation\":true,"
    "\"" META "vocab/content\":true},"
    "\"$dynamicAnchor\":\"meta\","
    "\"title\":\"Core and Validation specifications meta-schema\","
    "\"allOf\":[{\"$ref\":\"meta/core\"},{\"$ref\":\"meta/applicator\"},"
    "{\"$ref\":\"meta/unevaluated\"},{\"$ref\":\"meta/validation\"},"
    "{\"$ref\":\"meta/meta-data\"},{\"$ref\":\"meta/format-annotation\"},"
    "{\"$ref\":\"meta/content\"}],"
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{"
    "\"definitions\":{\"type\":\"object\",\"additionalProperties\":{\"$dynamicRef\":\"#meta\"},"
    "\"deprecated\":true,\"default\":{}},"
    "\"dependencies\":{\"type\":\"object\",\"additionalProperties\":{\"anyOf\":["
    "{\"$dynamicRef\":\"#meta\"},{\"$ref\":\"meta/validation#/$defs/stringArray\"}]},"
    "\"deprecated\":true,\"default\":{}},"
    "\"$recursiveAnchor\":{\"$ref\":\"meta/core#/$defs/anchorString\",\"deprecated\":true},"
    "\"$recursiveRef\":{\"$ref\":\"meta/core#/$defs/uriReferenceString\",\"deprecated\":true}"
    "}}";

static const char meta_core[] =
    "{" DIALECT "\"$id\":\"" META "meta/core\","
    "\"$vocabulary\":{\"" META "vocab/core\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Core vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{"
    "\"$id\":{\"$ref\":\"#/$defs/uriReferenceString\",\"pattern\":\"^[^#]*#?$\"},"
    "\"$schema\":{\"$ref\":\"#/$defs/uriString\"},"
    "\"$ref\":{\"$ref\":\"#/$defs/uriReferenceString\"},"
    "\"$anchor\":{\"$ref\":\"#/$defs/anchorString\"},"
    "\"$dynamicRef\":{\"$ref\":\"#/$defs/uriReferenceString\"},"
    "\"$dynamicAnchor\":{\"$ref\":\"#/$defs/anchorString\"},"
    "\"$vocabulary\":{\"type\":\"object\",\"propertyNames\":{\"$ref\":\"#/$defs/uriString\"},"
    "\"additionalProperties\":{\"type\":\"boolean\"}},"
    "\"$comment\":{\"type\":\"string\"},"
    "\"$defs\":{\"type\":\"object\",\"additionalProperties\":{\"$dynamicRef\":\"#meta\"}}},"
    "\"$defs\":{"
    "\"anchorString\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z_][-A-Za-z0-9._]*$\"},"
    "\"uriString\":{\"type\":\"string\",\"format\":\"uri\"},"
    "\"uriReferenceString\":{\"type\":\"string\",\"format\":\"uri-reference\"}}}";

static const char meta_applicator[] =
    "{" DIALECT "\"$id\":\"" META "meta/applicator\","
    "\"$vocabulary\":{\"" META "vocab/applicator\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Applicator vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{"
    "\"prefixItems\":{\"$ref\":\"#/$defs/schemaArray\"},"
    "\"items\":{\"$dynamicRef\":\"#meta\"},"
    "\"contains\":{\"$dynamicRef\":\"#meta\"},"
    "\"additionalProperties\":{\"$dynamicRef\":\"#meta\"},"
    "\"properties\":{\"type\":\"object\",\"additionalProperties\":{\"$dynamicRef\":\"#meta\"},"
    "\"default\":{}},"
    "\"patternProperties\":{\"type\":\"object\",\"additionalProperties\":"
    "{\"$dynamicRef\":\"#meta\"},\"propertyNames\":{\"format\":\"regex\"},\"default\":{}},"
    "\"dependentSchemas\":{\"type\":\"object\",\"additionalProperties\":"
    "{\"$dynamicRef\":\"#meta\"},\"default\":{}},"
    "\"propertyNames\":{\"$dynamicRef\":\"#meta\"},"
    "\"if\":{\"$dynamicRef\":\"#meta\"},\"then\":{\"$dynamicRef\":\"#meta\"},"
    "\"else\":{\"$dynamicRef\":\"#meta\"},"
    "\"allOf\":{\"$ref\":\"#/$defs/schemaArray\"},\"anyOf\":{\"$ref\":\"#/$defs/schemaArray\"},"
    "\"oneOf\":{\"$ref\":\"#/$defs/schemaArray\"},\"not\":{\"$dynamicRef\":\"#meta\"}},"
    "\"$defs\":{\"schemaArray\":{\"type\":\"array\",\"minItems\":1,"
    "\"items\":{\"$dynamicRef\":\"#meta\"}}}}";

static const char meta_unevaluated[] =
    "{" DIALECT "\"$id\":\"" META "meta/unevaluated\","
    "\"$vocabulary\":{\"" META "vocab/unevaluated\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Unevaluated applicator vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{\"unevaluatedItems\":{\"$dynamicRef\":\"#meta\"},"
    "\"unevaluatedProperties\":{\"$dynamicRef\":\"#meta\"}}}";

static const char meta_validation[] =
    "{" DIALECT "\"$id\":\"" META "meta/validation\","
    "\"$vocabulary\":{\"" META "vocab/validation\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Validation vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{"
    "\"type\":{\"anyOf\":[{\"$ref\":\"#/$defs/simpleTypes\"},{\"type\":\"array\","
    "\"items\":{\"$ref\":\"#/$defs/simpleTypes\"},\"minItems\":1,\"uniqueItems\":true}]},"
    "\"const\":true,\"enum\":{\"type\":\"array\",\"items\":true},"
    "\"multipleOf\":{\"type\":\"number\",\"exclusiveMinimum\":0},"
    "\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"type\":\"number\"},"
    "\"minimum\":{\"type\":\"number\"},\"exclusiveMinimum\":{\"type\":\"number\"},"
    "\"maxLength\":{\"$ref\":\"#/$defs/nonNegativeInteger\"},"
    "\"minLength\":{\"$ref\":\"#/$defs/nonNegativeIntegerDefault0\"},"
    "\"pattern\":{\"type\":\"string\",\"format\":\"regex\"},"
    "\"maxItems\":{\"$ref\":\"#/$defs/nonNegativeInteger\"},"
    "\"minItems\":{\"$ref\":\"#/$defs/nonNegativeIntegerDefault0\"},"
    "\"uniqueItems\":{\"type\":\"boolean\",\"default\":false},"
    "\"maxContains\":{\"$ref\":\"#/$defs/nonNegativeInteger\"},"
    "\"minContains\":{\"$ref\":\"#/$defs/nonNegativeInteger\",\"default\":1},"
    "\"maxProperties\":{\"$ref\":\"#/$defs/nonNegativeInteger\"},"
    "\"minProperties\":{\"$ref\":\"#/$defs/nonNegativeIntegerDefault0\"},"
    "\"required\":{\"$ref\":\"#/$defs/stringArray\"},"
    "\"dependentRequired\":{\"type\":\"object\",\"additionalProperties\":"
    "{\"$ref\":\"#/$defs/stringArray\"}}},"
    "\"$defs\":{"
    "\"nonNegativeInteger\":{\"type\":\"integer\",\"minimum\":0},"
    "\"nonNegativeIntegerDefault0\":{\"$ref\":\"#/$defs/nonNegativeInteger\",\"default\":0},"
    "\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"null\",\"number\","
    "\"object\",\"string\"]},"
    "\"stringArray\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"uniqueItems\":true,\"default\":[]}}}";

static const char meta_metadata[] =
    "{" DIALECT "\"$id\":\"" META "meta/meta-data\","
    "\"$vocabulary\":{\"" META "vocab/meta-data\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Meta-data vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},"
    "\"default\":true,\"deprecated\":{\"type\":\"boolean\",\"default\":false},"
    "\"readOnly\":{\"type\":\"boolean\",\"default\":false},"
    "\"writeOnly\":{\"type\":\"boolean\",\"default\":false},"
    "\"examples\":{\"type\":\"array\",\"items\":true}}}";

static const char meta_format[] =
    "{" DIALECT "\"$id\":\"" META "meta/format-annotation\","
    "\"$vocabulary\":{\"" META "vocab/format-annotation\":true},"
    "\"$dynamicAnchor\":\"meta\","
    "\"title\":\"Format vocabulary meta-schema for annotation results\","
    "\"type\":[\"object\",\"boolean\"],\"properties\":{\"format\":{\"type\":\"string\"}}}";

static const char meta_content[] =
    "{" DIALECT "\"$id\":\"" META "meta/content\","
    "\"$vocabulary\":{\"" META "vocab/content\":true},"
    "\"$dynamicAnchor\":\"meta\",\"title\":\"Content vocabulary meta-schema\","
    "\"type\":[\"object\",\"boolean\"],"
    "\"properties\":{\"contentEncoding\":{\"type\":\"string\"},"
    "\"contentMediaType\":{\"type\":\"string\"},"
    "\"contentSchema\":{\"$dynamicRef\":\"#meta\"}}}";

static const struct {
    const char *uri;
    const char *text;
} builtins[] = {
    { META "schema", meta_schema },
    { META "meta/core", meta_core },
    { META "meta/applicator", meta_applicator },
    { META "meta/unevaluated", meta_unevaluated },
    { META "meta/validation", meta_validation },
    { META "meta/meta-data", meta_metadata },
    { META "meta/format-annotation", meta_format },
    { META "meta/content", meta_content },
};

const char *llmops__sch_builtin(const char *uri, size_t len)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strlen(builtins[i].uri) == len && !memcmp(builtins[i].uri, uri, len))
            return builtins[i].text;
    return NULL;
}
