// Sequential: a model as a list of layers (tinygrad's list of callables), with shape inference
// at construction, a layer summary, and forward and backward through the whole graph. A conv
// or dense layer followed by ReLU or Sigmoid runs as one fused kernel; the summary still lists
// both. Memory is planned once per batch size: one parameter arena, one gradient arena and
// one activation arena (plus its gradients); a smaller last batch uses views of the same
// memory, so no training step allocates tensor memory.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "activation.h"
#include "arena.h"
#include "checkpoint.h"
#include "device.h"
#include "tensor.h"

namespace hnn {

enum class LayerKind { conv2d, avg_pool2d, max_pool2d, dense, relu, sigmoid, tanh, flatten, dropout };

// One layer as a user writes it. Pools: `kernel` is the window, a zero stride means the window.
struct LayerSpec {
    LayerKind kind;
    int out_channels = 0;  // conv2d
    int out_features = 0;  // dense
    std::array<int, 2> kernel{0, 0}, stride{1, 1}, padding{0, 0};
    float p = 0.5f;        // dropout: the probability of zeroing an element
    std::string where;     // for errors: "layer 3" or "model.json line 7"
};

const char *layer_kind_name(LayerKind kind);  // PyTorch's class names: Conv2d, AvgPool2d, Linear, ...
LayerKind parse_layer_kind(const std::string &name, const std::string &where);  // Error lists the known names

struct SummaryRow {
    std::string kind;
    Shape output;  // with the batch dimension
    int64_t parameters;
};

class Sequential {
public:
    // input: one example's shape [C, H, W] (or [features]). Infers every layer's output shape;
    // an impossible shape is an Error naming the layer (its `where`) and both shapes.
    Sequential(std::vector<LayerSpec> layers, Shape input);

    const Shape &input_shape() const { return input_; }
    const std::vector<LayerSpec> &layers() const { return specs_; }
    std::vector<SummaryRow> summary(int batch = 1) const;
    int64_t parameter_count() const { return parameters_.size() ? parameter_total_ : 0; }
    int classes() const;  // the last layer's output features

    // How weights start; biases get PyTorch's default uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
    // except under `normal`, where they start at 0 (d2l's LinearRegression).
    enum class Init {
        xavier_uniform,   // d2l's init_cnn for conv and dense weights
        pytorch_default,  // kaiming_uniform(a=sqrt(5)): uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
        normal,           // N(0, 0.01^2) weights, zero biases
    };
    // All randomness from `seed`. xavier_uniform and pytorch_default draw from PyTorch's
    // generator exactly as torch.manual_seed(seed), building the layers and (xavier) d2l's
    // init_cnn do, so `seed` gives the same initial parameters as PyTorch does.
    void initialize(uint64_t seed, Init init = Init::xavier_uniform);
    // How many draws of PyTorch's generator initialize(seed, Init::xavier_uniform) takes; the
    // training shuffles continue the stream from there, as a PyTorch script does.
    uint64_t initialization_draws() const;

    // Training mode (PyTorch's model.train()): Dropout layers zero elements with a mask drawn
    // from (seed, step, layer), so the same step draws the same masks again (resume, tests).
    // Evaluation mode (model.eval(), the default): Dropout passes its input through.
    void set_training(bool training, uint64_t step = 0, uint64_t seed = 0);
    bool training() const { return training_; }

    // Keeps parameters, gradients and activations on `device` from now on (CUDA: resident).
    void place(Device device);
    Device device() const { return device_; }

    // Plans activations for batches of up to `batch` examples (once; again only if larger).
    void plan(int batch);
    int planned_batch() const { return batch_; }

    // input [n, C, H, W] with n <= planned batch -> logits [n, classes] (stays on `device`).
    const Tensor &forward(const Tensor &input, Device device);
    // d_logits [n, classes] (from the loss, same n as the last forward) -> parameter gradients.
    void backward(Device device);
    // The gradient of the loss w.r.t. the logits of the last forward; the loss writes it.
    Tensor &d_logits();

    // The output of layer `index` (as in layers()) from the last forward, [n, ...].
    const Tensor &layer_output(int index);

    Arena &parameters() { return parameters_; }
    Arena &gradients() { return gradients_; }
    // PyTorch's nn.Sequential names, "0.weight", "0.bias", "7.weight", ...
    std::vector<NamedTensor> named_parameters();
    void load_parameters(const SafetensorsFile &file, const std::string &path);

private:
    struct Step {
        int layer;             // index into specs_ of the kernel's layer
        int last;              // index of the last layer it covers (its fused activation)
        Activation fused = Activation::none;
        int weight = -1, bias = -1;  // arena indices
    };
    struct Views {             // the activations and their gradients for one batch size
        std::vector<Tensor> outputs, d_outputs;  // per step
        std::vector<int> layer_step;             // layer index -> step whose output it is
    };
    Views &views_for(int n);
    void run_forward_step(const Step &step, const Tensor &in, Tensor &out, Device device);
    // Whether step s's kernels pass a gradient on (some step before it has parameters or activations).
    bool needs_d_input(int s) const;
    // Whether step s is a conv stored channels-last for the 2x2 average pool at step s + 1, with
    // input shape `in` (conv2d_channels_last_pooled); the forward and backward both ask.
    bool channels_last_at(int s, const Shape &in, Device device) const;
    float dropout_p(const LayerSpec &spec) const { return training_ ? spec.p : 0.0f; }
    uint32_t dropout_seed(int layer) const;

    std::vector<LayerSpec> specs_;
    Shape input_;
    std::vector<Shape> shapes_;  // output of each layer, without the batch dimension
    std::vector<Step> steps_;
    Arena parameters_, gradients_, activations_, d_activations_;
    int64_t parameter_total_ = 0;
    int batch_ = 0;
    std::map<int, Views> views_;
    int last_n_ = 0;
    const Tensor *last_input_ = nullptr;
    std::vector<bool> last_channels_last_;  // per step, in the last forward
    Tensor layer_copy_;                     // layer_output's NCHW copy of a channels-last output
    Device device_ = Device::cpu;
    bool training_ = false;
    uint64_t seed_ = 0, step_ = 0;
};

}  // namespace hnn
