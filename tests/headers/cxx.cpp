// The public headers must compile as C++ (extern "C", no C-only syntax).
#include <llmops.h>
#include <cstdio>
#include <cstring>

int main()
{
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    (void)o;
    llmops_status st = LLMOPS_OK;
    std::printf("c++ header check: %s %s\n", llmops_version(), llmops_status_str(st));
    return std::strcmp(llmops_version(), LLMOPS_VERSION_STRING) == 0 ? 0 : 1;
}
