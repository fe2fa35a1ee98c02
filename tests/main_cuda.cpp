// The CUDA test binary: the kernel tests again, on the CUDA libraries. Without a usable device
// it prints why and exits 77, which CTest reports as a skip.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>

#include "support.h"

hnn::Device hnn::test::device() { return hnn::Device::cuda; }

int main(int argc, char **argv) {
    const hnn::CudaInfo &cuda = hnn::cuda_info();
    if (!cuda.usable) {
        std::printf("SKIPPED: CUDA kernel tests: no CUDA device: %s\n", cuda.reason.c_str());
        return 77;
    }
    std::printf("CUDA kernel tests on %s (capability %d.%d)\n", cuda.name.c_str(), cuda.capability_major,
                cuda.capability_minor);
    doctest::Context context(argc, argv);
    return context.run();
}
