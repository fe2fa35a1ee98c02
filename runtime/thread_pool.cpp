#include "thread_pool.h"

#include <HalideRuntime.h>
#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "error.h"

namespace hnn {

namespace {

// How long an idle worker spins before it sleeps: longer than the gap between two kernels of
// a training step (host work of a few microseconds), short enough not to burn a core for long
// once training stops.
constexpr auto kSpin = std::chrono::microseconds(2000);

class Pool {
public:
    // Joins the old workers, starts threads - 1 new ones.
    void resize(int threads) {
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        for (auto &w : workers_) w.join();
        workers_.clear();
        stop_ = false;
        threads_ = threads;
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
    }
    int threads() const { return threads_; }

    int par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
        if (inside_ || size <= 1 || workers_.empty()) return serial(user_context, task, min, size, closure);
        std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
        if (!busy.owns_lock()) return serial(user_context, task, min, size, closure);
        job_ = Job{user_context, task, min, size, closure};
        unclaimed_ = static_cast<uint64_t>(size);  // [0, size)
        completed_ = 0;
        result_ = 0;
        const uint64_t open = generation_.load() + 1;  // odd: a job is open
        generation_.store(open);
        if (sleeping_.load() > 0) {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            wake_.notify_all();
        }
        run_iterations(true);
        while (completed_.load() < size) _mm_pause();
        generation_.store(open + 1);  // even: closed; late workers leave without touching job_
        while (active_.load() > 0) _mm_pause();
        return result_.load();
    }

private:
    struct Job {
        void *user_context = nullptr;
        halide_task_t task = nullptr;
        int min = 0, size = 0;
        uint8_t *closure = nullptr;
    };

    static int serial(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
        for (int i = min; i < min + size; ++i) {
            if (int status = task(user_context, i, closure)) return status;
        }
        return 0;
    }

    // Takes the lowest unclaimed iteration (front) or the highest, into i; false when none is left.
    bool claim(bool front, int &i) {
        uint64_t range = unclaimed_.load();
        for (;;) {
            const uint32_t lo = static_cast<uint32_t>(range >> 32), hi = static_cast<uint32_t>(range);
            if (lo >= hi) return false;
            const uint64_t rest = front ? (uint64_t(lo + 1) << 32 | hi) : (uint64_t(lo) << 32 | (hi - 1));
            if (unclaimed_.compare_exchange_weak(range, rest)) {
                i = static_cast<int>(front ? lo : hi - 1);
                return true;
            }
        }
    }

    // The host thread takes iterations from the front, the workers from the back. Halide's
    // parallel loops mostly run over images (or rows of them), so each core keeps working on
    // the same end of the batch from kernel to kernel, and reads what it wrote from its own L2.
    void run_iterations(bool front) {
        inside_ = true;
        for (int i; claim(front, i);) {
            if (int status = job_.task(job_.user_context, job_.min + i, job_.closure)) {
                int none = 0;
                result_.compare_exchange_strong(none, status);
            }
            completed_.fetch_add(1);
        }
        inside_ = false;
    }

    void work() {
        uint64_t seen = generation_.load();
        for (;;) {
            auto idle_since = std::chrono::steady_clock::now();
            uint64_t g;
            for (int spins = 0;; ++spins) {
                g = generation_.load();
                if (stop_) return;
                if (g != seen && (g & 1)) break;
                _mm_pause();
                if ((spins & 63) == 63 && std::chrono::steady_clock::now() - idle_since > kSpin) {
                    std::unique_lock<std::mutex> lock(sleep_mutex_);
                    sleeping_.fetch_add(1);
                    wake_.wait(lock, [&] { return stop_ || (generation_.load() != seen && (generation_.load() & 1)); });
                    sleeping_.fetch_sub(1);
                    idle_since = std::chrono::steady_clock::now();
                }
            }
            seen = g;
            active_.fetch_add(1);
            if (generation_.load() == g) run_iterations(false);  // still open: job_ is stable until active_ drops
            active_.fetch_sub(1);
        }
    }

    std::vector<std::thread> workers_;
    int threads_ = 1;
    std::mutex busy_;  // held by the host thread whose loop the workers are running
    Job job_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<uint64_t> unclaimed_{0};  // the iterations not yet claimed, [high 32 bits, low 32 bits)
    std::atomic<int> completed_{0}, result_{0}, active_{0}, sleeping_{0};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
    std::atomic<bool> stop_{false};
    static thread_local bool inside_;
};

thread_local bool Pool::inside_ = false;

int default_threads() {
    if (const char *env = std::getenv("HL_NUM_THREADS")) {
        const int n = std::atoi(env);
        if (n >= 1) return n;
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 0 ? static_cast<int>(cores) : 1;
}

int do_par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure);

// Created and installed on first use, never destroyed: workers may still be spinning on it
// while the process exits.
Pool &pool() {
    static Pool *p = [] {
        auto *created = new Pool;
        created->resize(default_threads());
        halide_set_custom_do_par_for(do_par_for);
        return created;
    }();
    return *p;
}

int do_par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
    return pool().par_for(user_context, task, min, size, closure);
}

}  // namespace

void set_cpu_threads(int threads) {
    if (threads < 1) throw Error("threads must be at least 1, got " + std::to_string(threads));
    if (threads != pool().threads()) pool().resize(threads);
}

int cpu_threads() { return pool().threads(); }

}  // namespace hnn
