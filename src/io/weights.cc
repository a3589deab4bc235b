#include "nertool/io/weights.h"

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/write_error.h"

namespace nertool::io {

namespace fs = std::filesystem;

namespace {

// Archives cannot hold dots in keys, so tensors are stored in one sub-archive per module level (like
// Module::save); the names below are the dotted paths that navigate them.
void write_module(const torch::nn::Module& m, torch::serialize::OutputArchive& archive) {
  for (const auto& p : m.named_parameters(/*recurse=*/false)) archive.write(p.key(), p.value().detach().cpu());
  for (const auto& b : m.named_buffers(/*recurse=*/false)) archive.write(b.key(), b.value().cpu(), true);
  for (const auto& c : m.named_children()) {
    torch::serialize::OutputArchive child(archive.compilation_unit());
    write_module(*c.value(), child);
    archive.write(c.key(), child);
  }
}

// Visits every tensor of `m` with the tensor found in the archive (undefined when absent).
void read_module(torch::nn::Module& m, torch::serialize::InputArchive* archive, const std::string& prefix,
                 const std::function<void(const std::string&, torch::Tensor&, const torch::Tensor&)>& visit) {
  auto read = [&](const std::string& key, torch::Tensor& target, bool is_buffer) {
    torch::Tensor found;
    if (archive) archive->try_read(key, found, is_buffer);
    visit(prefix + key, target, found);
  };
  for (auto& p : m.named_parameters(false)) read(p.key(), p.value(), false);
  for (auto& b : m.named_buffers(false)) read(b.key(), b.value(), true);
  for (auto& c : m.named_children()) {
    torch::serialize::InputArchive child;
    bool has = archive && archive->try_read(c.key(), child);
    read_module(*c.value(), has ? &child : nullptr, prefix + c.key() + ".", visit);
  }
}

void copy_into(torch::Tensor& target, const torch::Tensor& source) {
  torch::NoGradGuard no_grad;
  target.copy_(source.to(target.device(), target.scalar_type()));
}

torch::serialize::InputArchive open_archive(const std::string& path) {
  if (!fs::exists(path)) throw IoError("cannot open " + path + ": no such file");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw IoError("cannot read " + path + ": not a nertool weights archive (" + std::string(e.what_without_backtrace()) + ")");
  }
  return archive;
}

}  // namespace

void write_weights(const torch::nn::Module& module, torch::serialize::OutputArchive& archive) {
  write_module(module, archive);
}

namespace {
// Passes bytes on to `target` and reports success to its own writer whatever happens; the first failure is kept
// for the caller to raise once the writer is done.
class LatchingBuffer : public std::streambuf {
 public:
  explicit LatchingBuffer(std::ostream& target) : target_(target) {}
  bool failed() const { return failed_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (!failed_) failed_ = !target_.write(s, n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    xsputn(&ch, 1);
    return c;
  }

 private:
  std::ostream& target_;
  bool failed_ = false;
};
}  // namespace

void save_archive(torch::serialize::OutputArchive& archive, const std::string& path) {
  write_file_atomic(path, [&](std::ostream& out) {
    LatchingBuffer buffer(out);
    std::ostream latched(&buffer);
    archive.save_to(latched);
    if (buffer.failed()) throw write_error(path);
  });
}

void save_weights(const torch::nn::Module& module, const std::string& path) {
  torch::serialize::OutputArchive archive;
  write_module(module, archive);
  save_archive(archive, path);
}

void load_weights(torch::nn::Module& module, const std::string& path) {
  auto archive = open_archive(path);
  read_weights(module, archive, path);
}

bool load_weights_part(torch::nn::Module& module, const std::string& path, const std::string& part) {
  auto archive = open_archive(path);
  torch::serialize::InputArchive sub;
  if (!archive.try_read(part, sub)) return false;
  read_weights(module, sub, path);
  return true;
}

void read_weights(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& path) {
  read_module(module, &archive, "", [&](const std::string& name, torch::Tensor& target, const torch::Tensor& found) {
    if (!found.defined()) throw IoError(path + ": no tensor '" + name + "' (the weights do not fit this model)");
    if (found.sizes() != target.sizes()) {
      std::ostringstream msg;
      msg << path << ": tensor '" << name << "' has shape " << found.sizes() << ", the model expects "
          << target.sizes();
      throw IoError(msg.str());
    }
    copy_into(target, found);
  });
}

InitReport init_weights(torch::nn::Module& module, const std::string& path) {
  auto archive = open_archive(path);
  InitReport report;
  read_module(module, &archive, "", [&](const std::string& name, torch::Tensor& target, const torch::Tensor& found) {
    if (!found.defined()) return report.missing.push_back(name);
    if (found.sizes() != target.sizes()) return report.mismatched.push_back(name);
    copy_into(target, found);
    report.loaded.push_back(name);
  });
  return report;
}

}  // namespace nertool::io
