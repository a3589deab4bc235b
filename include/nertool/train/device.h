#pragma once
// Device choice for training and inference: "auto" takes CUDA when LibTorch has it and a GPU is present.
#include <torch/types.h>

#include "nertool/train/device_request.h"

namespace nertool::train {

// The LibTorch device of a request. Throws ConfigError, naming the request, when CUDA is asked for but not usable.
torch::Device resolve_device(const DeviceRequest& request);

// CPU threads for LibTorch's intra-op parallelism and for the BLAS behind it. OpenBLAS (Debian's
// libopenblas0-pthread) keeps its own thread pool, sized to all cores whatever LibTorch is told; it then splits
// even the LSTM's tiny per-step matrix products, and on a machine where other work runs those threads wait for
// each other: with a training job on the other core, a 14x275 by 275x1100 product took 2.75 ms with OpenBLAS's
// default threads and 0.14 ms with one. Returns whether OpenBLAS was found.
bool set_cpu_threads(int threads);

}  // namespace nertool::train
