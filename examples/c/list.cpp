// Lists every image-processing bucket and one bucket's AI queues from C++,
// with RAII owning every object the library hands out.
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

std::string text(const char *s) { return s ? s : "-"; }

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

    ci_pic_bucket_query query{};
    query.page_size = 100;
    ci_pic_bucket_pager *raw_pager = nullptr;
    check(ci_pic_bucket_pager_new(client.get(), &query, &raw_pager));
    Owned<ci_pic_bucket_pager> pager(raw_pager);
    size_t count = 0;
    for (;;) {
        ci_pic_bucket_page *raw_page = nullptr;
        check(ci_pic_bucket_pager_next(pager.get(), &raw_page));
        Owned<ci_pic_bucket_page> page(raw_page);
        if (!page) break;
        count += page->buckets_len;
    }
    std::cout << "C++: " << count << " image-processing buckets\n";

    ci_ai_queue_page *raw_queues = nullptr;
    check(ci_describe_ai_queues(client.get(), bucket.c_str(), nullptr, &raw_queues));
    Owned<ci_ai_queue_page> queues(raw_queues);
    std::cout << "C++: first page of " << bucket << ": " << queues->queues_len << " of " << queues->total_count << " queues";
    if (queues->queues_len > 0) std::cout << ", first " << text(queues->queues[0].name);
    std::cout << "\n";
    return 0;
} catch (const std::exception &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
