// Counts what every describe call answers (each service's buckets, one
// bucket's queues of each kind) from C++, with RAII owning every object the
// library hands out.
//
//   c++ -std=c++17 list.cpp $(pkg-config --cflags --libs cloud_infinite) -o list_cpp
//   CI_EMULATOR_ADDR=127.0.0.1:PORT ./list_cpp
#include <cloud_infinite.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

struct Free {
    void operator()(void *object) const { ci_free(object); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// Turns a ci_error into an exception, freeing the error.
void check(ci_error *raw) {
    Owned<ci_error> error(raw);
    if (!error) return;
    std::string what = ci_error_message(error.get());
    if (const char *code = ci_error_code(error.get())) what += std::string(" (") + code + ")";
    throw std::runtime_error(what);
}

}  // namespace

int main(int argc, char **argv) try {
    const std::string bucket = argc > 1 ? argv[1] : "examplebucket-1250000000";
    ci_client_options options{};
    if (const char *emulator = std::getenv("CI_EMULATOR_ADDR")) {
        options.secret_id = "AKIDemulatorEXAMPLE";
        options.secret_key = "emulator-secret-key";
        options.region = "ap-guangzhou";
        options.connect_to = emulator;
        options.scheme = CI_SCHEME_HTTP;
        options.proxy_mode = CI_PROXY_MODE_DISABLED;
    } else {
        options.from_env = 1;
    }
    ci_client *raw_client = nullptr;
    check(ci_client_new(&options, &raw_client));
    Owned<ci_client> client(raw_client);

    ci_query query{};
    query.has_page_size = 1;
    query.page_size = 100;
    size_t n = 0;
    const ci_operation_info *ops = ci_operations(&n);
    for (size_t i = 0; i < n; i++) {
        const char *target = ops[i].host_level == CI_HOST_LEVEL_BUCKET ? bucket.c_str() : nullptr;
        ci_pager *raw_pager = nullptr;
        check(ci_pager_new(client.get(), ops[i].operation, target, &query, &raw_pager));
        Owned<ci_pager> pager(raw_pager);
        size_t count = 0;
        for (;;) {
            ci_page *raw_page = nullptr;
            check(ci_pager_next(pager.get(), &raw_page));
            Owned<ci_page> page(raw_page);
            if (!page) break;
            count += page->buckets_len + page->ci_buckets_len + page->queues_len;
        }
        std::cout << "C++: " << ops[i].name << ": " << count << (target ? " queues\n" : " buckets\n");
    }
    return 0;
} catch (const std::exception &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
