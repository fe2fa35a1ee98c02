// hnn's parallel-for (runtime/thread_pool.h), called the way generated kernels call it.
#include <HalideRuntime.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "error.h"
#include "support.h"
#include "thread_pool.h"

using namespace hnn;

namespace {

struct Counts {
    std::vector<std::atomic<int>> hits;
    std::atomic<int> threads_seen_inner{0};
    explicit Counts(int n) : hits(n) {}
};

int count_task(void *, int i, uint8_t *closure) {
    reinterpret_cast<Counts *>(closure)->hits[i - 100]++;
    return 0;
}

int failing_task(void *, int i, uint8_t *) { return i == 37 ? -17 : 0; }

// Which thread ran each iteration: 1 for the calling thread, 2 for a worker.
struct Runners {
    std::thread::id caller = std::this_thread::get_id();
    std::vector<std::atomic<int>> by;
    explicit Runners(int n) : by(n) {}
};

int record_task(void *, int i, uint8_t *closure) {
    auto *r = reinterpret_cast<Runners *>(closure);
    r->by[i] = std::this_thread::get_id() == r->caller ? 1 : 2;
    for (volatile int spin = 0; spin < 2000; ++spin) {
    }
    return 0;
}

int nested_task(void *, int i, uint8_t *closure) {
    auto *counts = reinterpret_cast<Counts *>(closure);
    // An inner loop from inside an iteration: must run (serially) and cover its range.
    Counts inner(4);
    const int status = halide_do_par_for(nullptr, count_task, 100, 4, reinterpret_cast<uint8_t *>(&inner));
    for (auto &h : inner.hits) counts->threads_seen_inner += h.load();
    counts->hits[i]++;
    return status;
}

}  // namespace

TEST_CASE("parallel for runs every iteration exactly once, at any thread count") {
    const int before = cpu_threads();
    for (int threads : {1, 2, 3}) {
        set_cpu_threads(threads);
        CHECK(cpu_threads() == threads);
        for (int size : {0, 1, 2, 7, 1000}) {
            for (int rep = 0; rep < 20; ++rep) {
                Counts counts(size);
                REQUIRE(halide_do_par_for(nullptr, count_task, 100, size, reinterpret_cast<uint8_t *>(&counts)) == 0);
                int wrong = 0;
                for (auto &h : counts.hits) wrong += h.load() != 1;
                CHECK(wrong == 0);
            }
        }
    }
    set_cpu_threads(before);
}

TEST_CASE("the calling thread takes iterations from the front, the workers from the back") {
    // So consecutive kernels over the same images keep each image's data on one core.
    const int before = cpu_threads();
    set_cpu_threads(2);
    for (int rep = 0; rep < 50; ++rep) {
        Runners runners(64);
        REQUIRE(halide_do_par_for(nullptr, record_task, 0, 64, reinterpret_cast<uint8_t *>(&runners)) == 0);
        std::vector<int> by;
        for (auto &b : runners.by) by.push_back(b.load());
        // The caller's iterations are a prefix, the worker's the rest (either may be empty: on a
        // loaded machine one thread can run them all).
        CHECK(std::is_sorted(by.begin(), by.end()));
        CHECK(std::count(by.begin(), by.end(), 0) == 0);
    }
    set_cpu_threads(before);
}

TEST_CASE("parallel for returns a failing iteration's status; nested loops run") {
    set_cpu_threads(2);
    CHECK(halide_do_par_for(nullptr, failing_task, 0, 100, nullptr) == -17);
    Counts counts(50);
    CHECK(halide_do_par_for(nullptr, nested_task, 0, 50, reinterpret_cast<uint8_t *>(&counts)) == 0);
    for (auto &h : counts.hits) CHECK(h.load() == 1);
    CHECK(counts.threads_seen_inner.load() == 50 * 4);
    // Two host threads at once: the second runs its loop itself, both complete.
    Counts a(500), b(500);
    std::thread other([&] { halide_do_par_for(nullptr, count_task, 100, 500, reinterpret_cast<uint8_t *>(&b)); });
    halide_do_par_for(nullptr, count_task, 100, 500, reinterpret_cast<uint8_t *>(&a));
    other.join();
    int wrong = 0;
    for (int i = 0; i < 500; ++i) wrong += (a.hits[i].load() != 1) + (b.hits[i].load() != 1);
    CHECK(wrong == 0);
}

TEST_CASE("threads must be at least 1") {
    CHECK_THROWS_WITH_AS(set_cpu_threads(0), doctest::Contains("at least 1"), Error);
}
