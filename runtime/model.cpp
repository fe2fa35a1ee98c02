#include "model.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "error.h"
#include "ops.h"
#include "torch_random.h"

namespace hnn {

namespace {

Activation activation_of(LayerKind k) {
    switch (k) {
        case LayerKind::relu: return Activation::relu;
        case LayerKind::sigmoid: return Activation::sigmoid;
        case LayerKind::tanh: return Activation::tanh;
        default: return Activation::none;
    }
}

Shape with_batch(int n, const Shape &shape) {
    Shape s{n};
    s.insert(s.end(), shape.begin(), shape.end());
    return s;
}

int64_t elements(const Shape &shape) {
    int64_t n = 1;
    for (int d : shape) n *= d;
    return n;
}

Pool2dParams pool_params(const LayerSpec &spec) {
    Pool2dParams p;
    p.mode = spec.kind == LayerKind::max_pool2d ? PoolMode::max : PoolMode::average;
    p.window = spec.kernel;
    p.stride = spec.stride;
    p.padding = spec.padding;
    return p;
}

Conv2dParams conv_params(const LayerSpec &spec, Activation fused) {
    Conv2dParams p;
    p.stride_h = spec.stride[0];
    p.stride_w = spec.stride[1];
    p.padding_h = spec.padding[0];
    p.padding_w = spec.padding[1];
    p.activation = fused;
    return p;
}

// Uniform in [low, high) from 53 random bits: the same numbers on every platform.
double uniform(std::mt19937_64 &rng, double low, double high) {
    return low + (high - low) * (double(rng() >> 11) * (1.0 / 9007199254740992.0));
}

}  // namespace

const char *layer_kind_name(LayerKind kind) {
    switch (kind) {
        case LayerKind::conv2d: return "Conv2d";
        case LayerKind::avg_pool2d: return "AvgPool2d";
        case LayerKind::max_pool2d: return "MaxPool2d";
        case LayerKind::dense: return "Linear";
        case LayerKind::relu: return "ReLU";
        case LayerKind::sigmoid: return "Sigmoid";
        case LayerKind::tanh: return "Tanh";
        case LayerKind::flatten: return "Flatten";
        case LayerKind::dropout: return "Dropout";
    }
    return "?";
}

LayerKind parse_layer_kind(const std::string &name, const std::string &where) {
    for (LayerKind k : {LayerKind::conv2d, LayerKind::avg_pool2d, LayerKind::max_pool2d, LayerKind::dense,
                        LayerKind::relu, LayerKind::sigmoid, LayerKind::tanh, LayerKind::flatten, LayerKind::dropout}) {
        if (name == layer_kind_name(k)) return k;
    }
    if (name == "Dense") return LayerKind::dense;
    throw Error(where + ": unknown layer '" + name +
                "'; expected Conv2d, AvgPool2d, MaxPool2d, Linear, ReLU, Sigmoid, Tanh, Flatten or Dropout");
}

Sequential::Sequential(std::vector<LayerSpec> layers, Shape input) : specs_(std::move(layers)), input_(std::move(input)) {
    if (specs_.empty()) throw Error("a model needs at least one layer");
    Shape shape = input_;
    for (size_t i = 0; i < specs_.size(); ++i) {
        LayerSpec &spec = specs_[i];
        if (spec.where.empty()) spec.where = "layer " + std::to_string(i);
        const Shape in = with_batch(1, shape);
        Shape out;
        try {
            switch (spec.kind) {
                case LayerKind::conv2d: {
                    if (in.size() != 4) throw Error("Conv2d needs a [N, C, H, W] input, got " + shape_string(in));
                    if (spec.out_channels <= 0) throw Error("Conv2d needs out_channels > 0");
                    const Shape weight{spec.out_channels, in[1], spec.kernel[0], spec.kernel[1]};
                    out = conv2d_output_shape(in, weight, conv_params(spec, Activation::none));
                    break;
                }
                case LayerKind::avg_pool2d:
                case LayerKind::max_pool2d:
                    if (in.size() != 4) throw Error(std::string(layer_kind_name(spec.kind)) + " needs a [N, C, H, W] input, got " + shape_string(in));
                    out = pool2d_output_shape(in, pool_params(spec));
                    break;
                case LayerKind::dense:
                    if (in.size() != 2) throw Error("Linear needs a [N, features] input (add a Flatten), got " + shape_string(in));
                    if (spec.out_features <= 0) throw Error("Linear needs out_features > 0");
                    out = {1, spec.out_features};
                    break;
                case LayerKind::flatten: out = {1, static_cast<int>(elements(shape))}; break;
                case LayerKind::dropout:
                    if (!(spec.p >= 0.0f && spec.p <= 1.0f)) throw Error("p must be in [0, 1], got " + std::to_string(spec.p));
                    out = in;
                    break;
                default: out = in; break;
            }
        } catch (const Error &e) {
            throw Error(spec.where + " (" + layer_kind_name(spec.kind) + "): " + e.what());
        }
        shape.assign(out.begin() + 1, out.end());
        shapes_.push_back(shape);
    }
    if (shapes_.back().size() != 1) {
        throw Error(specs_.back().where + ": the last layer must output [N, classes], got " +
                    shape_string(with_batch(1, shapes_.back())) + " (end with Flatten and Linear)");
    }

    // Steps: one kernel each, a conv or dense layer taking the ReLU/Sigmoid that follows it.
    for (int i = 0; i < static_cast<int>(specs_.size()); ++i) {
        Step step{i, i};
        const LayerKind k = specs_[i].kind;
        const bool fusable = k == LayerKind::conv2d || k == LayerKind::dense;
        if (fusable && i + 1 < static_cast<int>(specs_.size()) &&
            (specs_[i + 1].kind == LayerKind::relu || specs_[i + 1].kind == LayerKind::sigmoid)) {
            step.fused = activation_of(specs_[i + 1].kind);
            step.last = i + 1;
        }
        if (fusable) {
            const Shape in = i == 0 ? input_ : shapes_[i - 1];
            const std::string prefix = std::to_string(i);
            Shape weight = k == LayerKind::conv2d ? Shape{specs_[i].out_channels, in[0], specs_[i].kernel[0], specs_[i].kernel[1]}
                                                  : Shape{specs_[i].out_features, in[0]};
            step.weight = parameters_.add(prefix + ".weight", weight);
            gradients_.add(prefix + ".weight", weight);
            step.bias = parameters_.add(prefix + ".bias", {weight[0]});
            gradients_.add(prefix + ".bias", {weight[0]});
            parameter_total_ += elements(weight) + weight[0];
        }
        steps_.push_back(step);
        i = step.last;
    }
    parameters_.allocate();
    gradients_.allocate();
}

int Sequential::classes() const { return shapes_.back()[0]; }

std::vector<SummaryRow> Sequential::summary(int batch) const {
    std::vector<SummaryRow> rows;
    for (size_t i = 0; i < specs_.size(); ++i) {
        int64_t params = 0;
        const Shape in = i == 0 ? input_ : shapes_[i - 1];
        if (specs_[i].kind == LayerKind::conv2d) {
            params = int64_t(specs_[i].out_channels) * in[0] * specs_[i].kernel[0] * specs_[i].kernel[1] + specs_[i].out_channels;
        } else if (specs_[i].kind == LayerKind::dense) {
            params = int64_t(specs_[i].out_features) * in[0] + specs_[i].out_features;
        }
        rows.push_back({layer_kind_name(specs_[i].kind), with_batch(batch, shapes_[i]), params});
    }
    return rows;
}

void Sequential::initialize(uint64_t seed, Init init) {
    if (init == Init::normal) {
        std::mt19937_64 rng(seed);
        for (const Step &step : steps_) {
            if (step.weight < 0) continue;
            Tensor &w = parameters_[step.weight];
            for (int64_t j = 0; j < w.numel(); ++j) {  // Box-Muller
                const double u1 = uniform(rng, 1e-300, 1.0), u2 = uniform(rng, 0.0, 1.0);
                w.data()[j] = static_cast<float>(0.01 * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
            }
            Tensor &b = parameters_[step.bias];
            std::fill(b.data(), b.data() + b.numel(), 0.0f);
        }
        parameters_.upload();
        return;
    }
    // As PyTorch with torch.manual_seed(seed): building the layers draws each one's default
    // weights and biases in order (nn.Conv2d's and nn.Linear's reset_parameters), and then
    // d2l's init_cnn redraws every weight Xavier-uniform, again in layer order.
    TorchRandom random(seed);
    auto fans = [](const Tensor &w) {
        const int64_t receptive = w.rank() == 4 ? int64_t(w.dim(2)) * w.dim(3) : 1;
        return std::pair<double, double>(double(w.dim(1) * receptive), double(w.dim(0) * receptive));
    };
    for (const Step &step : steps_) {
        if (step.weight < 0) continue;
        Tensor &w = parameters_[step.weight];
        Tensor &b = parameters_[step.bias];
        const double fan_in = fans(w).first;
        const double a = std::sqrt(5.0), gain = std::sqrt(2.0 / (1 + a * a));  // kaiming_uniform_(a=sqrt(5))
        const double bound = std::sqrt(3.0) * (gain / std::sqrt(fan_in));
        random.uniform(w.data(), w.numel(), -bound, bound);
        random.uniform(b.data(), b.numel(), -1 / std::sqrt(fan_in), 1 / std::sqrt(fan_in));
    }
    if (init == Init::xavier_uniform) {
        for (const Step &step : steps_) {
            if (step.weight < 0) continue;
            Tensor &w = parameters_[step.weight];
            const auto [fan_in, fan_out] = fans(w);
            const double bound = std::sqrt(3.0) * (1.0 * std::sqrt(2.0 / (fan_in + fan_out)));
            random.uniform(w.data(), w.numel(), -bound, bound);
        }
    }
    parameters_.upload();
}

uint64_t Sequential::initialization_draws() const {
    uint64_t draws = 0;
    for (const Step &step : steps_) {
        if (step.weight < 0) continue;
        draws += 2 * parameters_[step.weight].numel() + parameters_[step.bias].numel();
    }
    return draws;
}

void Sequential::set_training(bool training, uint64_t step, uint64_t seed) {
    training_ = training;
    step_ = step;
    seed_ = seed;
}

uint32_t Sequential::dropout_seed(int layer) const {
    // splitmix64 over (seed, step, layer): nearby steps and layers get unrelated masks.
    uint64_t z = seed_ + 0x9E3779B97F4A7C15ull * (step_ + 1) + 0xD1B54A32D192ED03ull * static_cast<uint64_t>(layer + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
}

void Sequential::place(Device device) {
    if (device == device_) return;
    device_ = device;
    parameters_.place(device);
    gradients_.place(device);
    activations_.place(device);
    d_activations_.place(device);
    views_.clear();
}

void Sequential::plan(int batch) {
    if (batch <= batch_) return;
    batch_ = batch;
    views_.clear();
    activations_ = Arena();
    d_activations_ = Arena();
    activations_.place(device_);  // allocate() below puts them on the model's device
    d_activations_.place(device_);
    int64_t workspace = 1;  // d_z of a dense layer with a fused activation
    for (size_t s = 0; s < steps_.size(); ++s) {
        const Shape shape = with_batch(batch, shapes_[steps_[s].last]);
        activations_.add("step" + std::to_string(s), shape);
        d_activations_.add("step" + std::to_string(s), shape);
        if (specs_[steps_[s].layer].kind == LayerKind::dense) workspace = std::max(workspace, elements(shape));
    }
    d_activations_.add("workspace", {static_cast<int>(workspace)});
    activations_.allocate();
    d_activations_.allocate();
}

Sequential::Views &Sequential::views_for(int n) {
    if (n > batch_) throw Error("a batch of " + std::to_string(n) + " exceeds the planned " + std::to_string(batch_));
    auto found = views_.find(n);
    if (found != views_.end()) return found->second;
    Views v;
    v.layer_step.assign(specs_.size(), -1);
    for (size_t s = 0; s < steps_.size(); ++s) {
        const Shape shape = with_batch(n, shapes_[steps_[s].last]);
        if (specs_[steps_[s].layer].kind == LayerKind::flatten && s > 0) {  // a view, not a kernel
            v.outputs.push_back(v.outputs[s - 1].reshaped(shape));
            v.d_outputs.push_back(v.d_outputs[s - 1].reshaped(shape));
        } else {
            v.outputs.push_back(activations_[static_cast<int>(s)].view(0, shape));
            v.d_outputs.push_back(d_activations_[static_cast<int>(s)].view(0, shape));
        }
        for (int l = steps_[s].layer; l <= steps_[s].last; ++l) v.layer_step[l] = static_cast<int>(s);
    }
    return views_.emplace(n, std::move(v)).first->second;
}

void Sequential::run_forward_step(const Step &step, const Tensor &in, Tensor &out, Device device) {
    const LayerSpec &spec = specs_[step.layer];
    switch (spec.kind) {
        case LayerKind::conv2d:
            conv2d_forward(out, in, parameters_[step.weight], &parameters_[step.bias], conv_params(spec, step.fused), device);
            break;
        case LayerKind::dense:
            dense_forward(out, in, parameters_[step.weight], &parameters_[step.bias], step.fused, device);
            break;
        case LayerKind::avg_pool2d:
        case LayerKind::max_pool2d: pool2d_forward(out, in, pool_params(spec), device); break;
        case LayerKind::relu:
        case LayerKind::sigmoid:
        case LayerKind::tanh: activation_forward(out, in, activation_of(spec.kind), device); break;
        case LayerKind::dropout: dropout_forward(out, in, dropout_p(spec), dropout_seed(step.layer), device); break;
        case LayerKind::flatten: break;
    }
}

bool Sequential::needs_d_input(int s) const {
    for (int p = 0; p < s; ++p) {
        if (specs_[steps_[p].layer].kind != LayerKind::flatten) return true;
    }
    return false;
}

bool Sequential::channels_last_at(int s, const Shape &in, Device device) const {
    if (s + 1 >= static_cast<int>(steps_.size())) return false;
    const LayerSpec &conv = specs_[steps_[s].layer], &pool = specs_[steps_[s + 1].layer];
    return conv.kind == LayerKind::conv2d && pool.kind == LayerKind::avg_pool2d && is_avg_pool_2x2(pool_params(pool)) &&
           conv2d_channels_last_pooled(in, parameters_[steps_[s].weight].shape(), conv_params(conv, steps_[s].fused),
                                       needs_d_input(s), device);
}

const Tensor &Sequential::forward(const Tensor &input, Device device) {
    const int n = input.dim(0);
    if (input.rank() != static_cast<int>(input_.size()) + 1 || !std::equal(input_.begin(), input_.end(), input.shape().begin() + 1)) {
        throw Error("model input must be " + shape_string(with_batch(n, input_)) + ", got " + shape_string(input.shape()));
    }
    Views &v = views_for(n);
    if (specs_[steps_[0].layer].kind == LayerKind::flatten) v.outputs[0] = input.reshaped(v.outputs[0].shape());
    last_channels_last_.assign(steps_.size(), false);
    for (size_t s = 0; s < steps_.size(); ++s) {
        const Tensor &in = s == 0 ? input : v.outputs[s - 1];
        if (channels_last_at(static_cast<int>(s), in.shape(), device)) {
            const Step &conv = steps_[s];
            conv2d_avg_pool_channels_last_forward(v.outputs[s], v.outputs[s + 1], in, parameters_[conv.weight],
                                                  &parameters_[conv.bias], conv_params(specs_[conv.layer], conv.fused));
            last_channels_last_[s] = true;
            ++s;  // the pool ran too
            continue;
        }
        run_forward_step(steps_[s], in, v.outputs[s], device);
    }
    last_n_ = n;
    last_input_ = &input;
    return v.outputs.back();
}

Tensor &Sequential::d_logits() { return views_for(last_n_).d_outputs.back(); }

const Tensor &Sequential::layer_output(int index) {
    Views &v = views_for(last_n_);
    const int step = v.layer_step.at(index);
    if (!last_channels_last_.empty() && last_channels_last_.at(step)) {
        const Tensor &stored = v.outputs.at(step);
        if (layer_copy_.shape() != stored.shape()) layer_copy_ = Tensor(stored.shape());
        channels_last_to_nchw(layer_copy_, stored);
        return layer_copy_;
    }
    return v.outputs.at(step);
}

void Sequential::backward(Device device) {
    if (!last_input_) throw Error("backward() before forward()");
    Views &v = views_for(last_n_);
    // A pool after a conv with a fused activation writes the conv's d_z = d_y * act'(y) itself
    // (one pass instead of the conv's three kernels each reading y and d_y); the conv's
    // backward then runs without its activation. slope_applied: the step whose d_output is d_z.
    int slope_applied = -1;
    // A conv before an average pool 2x2 (LeNet's c1 and c2) takes the pool's d_output in its own
    // kernels where they apply (conv2d_backward_avg_pooled); pooled_done: that conv's step.
    int pooled_done = -1;
    for (int s = static_cast<int>(steps_.size()) - 1; s >= 0; --s) {
        const Step &step = steps_[s];
        const LayerSpec &spec = specs_[step.layer];
        const Tensor &in = s == 0 ? *last_input_ : v.outputs[s - 1];
        const Tensor &out = v.outputs[s], &d_out = v.d_outputs[s];
        Tensor *d_in = needs_d_input(s) ? &v.d_outputs[s - 1] : nullptr;
        switch (spec.kind) {
            case LayerKind::conv2d:
                if (pooled_done == s) break;
                conv2d_backward(d_in, &gradients_[step.weight], &gradients_[step.bias], d_out, in, parameters_[step.weight],
                                out, conv_params(spec, slope_applied == s ? Activation::none : step.fused), device);
                break;
            case LayerKind::dense:
                dense_backward(d_in, &gradients_[step.weight], &gradients_[step.bias], d_out, in, parameters_[step.weight],
                               out, step.fused, device, &d_activations_[static_cast<int>(steps_.size())]);
                break;
            case LayerKind::avg_pool2d:
            case LayerKind::max_pool2d:
                if (d_in && specs_[steps_[s - 1].layer].kind == LayerKind::conv2d && is_avg_pool_2x2(pool_params(spec))) {
                    const Step &conv = steps_[s - 1];
                    Tensor *conv_d_in = needs_d_input(s - 1) ? &v.d_outputs[s - 2] : nullptr;
                    if (conv2d_backward_avg_pooled(conv_d_in, gradients_[conv.weight], gradients_[conv.bias], d_out,
                                                   s == 1 ? *last_input_ : v.outputs[s - 2], parameters_[conv.weight], in,
                                                   conv_params(specs_[conv.layer], conv.fused), device,
                                                   last_channels_last_.at(s - 1), &v.d_outputs[s - 1])) {
                        pooled_done = s - 1;
                        break;
                    }
                }
                if (d_in && specs_[steps_[s - 1].layer].kind == LayerKind::conv2d &&
                    pool2d_backward_activation(*d_in, d_out, in, pool_params(spec), steps_[s - 1].fused, device)) {
                    slope_applied = s - 1;
                } else if (d_in) {
                    pool2d_backward(d_in, d_out, in, pool_params(spec), device);
                }
                break;
            case LayerKind::relu:
            case LayerKind::sigmoid:
            case LayerKind::tanh:
                if (d_in) activation_backward(d_in, d_out, out, activation_of(spec.kind), device);
                break;
            case LayerKind::dropout:
                dropout_backward(d_in, d_out, dropout_p(spec), dropout_seed(step.layer), device);
                break;
            case LayerKind::flatten: break;  // its gradient is a view of the next step's
        }
    }
}

std::vector<NamedTensor> Sequential::named_parameters() {
    parameters_.download();
    std::vector<NamedTensor> named;
    for (int i = 0; i < parameters_.count(); ++i) named.push_back({parameters_.name(i), &parameters_[i]});
    return named;
}

void Sequential::load_parameters(const SafetensorsFile &file, const std::string &path) {
    for (int i = 0; i < parameters_.count(); ++i) {
        auto found = file.tensors.find(parameters_.name(i));
        if (found == file.tensors.end()) {
            std::string names;
            for (const auto &[name, tensor] : file.tensors) names += (names.empty() ? "" : ", ") + name;
            throw Error(path + ": has no tensor '" + parameters_.name(i) + "' that this model needs (it has " + names +
                        "; were its layers different, e.g. another --dropout or model file?)");
        }
        if (found->second.shape() != parameters_[i].shape()) {
            throw Error(path + ": tensor '" + parameters_.name(i) + "' is " + shape_string(found->second.shape()) +
                        " but the model needs " + shape_string(parameters_[i].shape()));
        }
        std::copy(found->second.data(), found->second.data() + found->second.numel(), parameters_[i].data());
    }
    parameters_.upload();
}

}  // namespace hnn
