#include "nertool/train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <torch/serialize/archive.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/train/device.h"

namespace nertool::train {

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
    if (buffer.failed()) throw IoError("error while writing " + path + ": " + std::strerror(errno));
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

TrainingRunDir::TrainingRunDir(std::string dir, bool resume_requested) : dir_(std::move(dir)) {
  const bool existed = fs::exists(dir_);
  const bool empty = !existed || (fs::is_directory(dir_) && fs::is_empty(dir_));
  if (existed && !fs::is_directory(dir_)) throw ConfigError("run directory " + dir_ + " is a file, not a directory");
  if (!resume_requested && !empty)
    throw ConfigError("run directory " + dir_ + " already exists and is not empty (use --resume to continue it, or "
                      "choose another --out)");
  if (resume_requested && !existed)
    throw IoError("cannot resume: run directory " + dir_ + " does not exist (start the run without --resume)");
  fs::create_directories(dir_);
  lock();
  // Checked again under the lock: another run may have filled the directory since the check above.
  if (!resume_requested && !fs::is_empty(dir_)) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw ConfigError("run directory " + dir_ + " was filled by another nertool train meanwhile (choose another --out)");
  }
  remove_temporary_files();
  resume_ = resume_requested && fs::exists(fs::path(dir_) / "checkpoint.pt");
  if (resume_requested && !resume_) start_over_without_checkpoint();
  remove_on_failure_ = !resume_ && (empty || resume_requested);
}

TrainingRunDir::~TrainingRunDir() {
  std::error_code ec;
  if (remove_on_failure_ && std::uncaught_exceptions() > 0) fs::remove_all(dir_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void TrainingRunDir::lock() {
  lock_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) throw IoError("cannot open run directory " + dir_ + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw ConfigError("run directory " + dir_ + " is in use by another nertool train (wait for it to end, or "
                      "choose another --out)");
  }
}

// Only a nertool run directory is emptied: one with the config.json that training writes first.
void TrainingRunDir::start_over_without_checkpoint() {
  if (fs::is_empty(dir_)) return;
  if (!fs::exists(fs::path(dir_) / "config.json"))
    throw IoError("cannot resume: " + dir_ + " has neither checkpoint.pt nor config.json (not a nertool run directory)");
  spdlog::warn("{} has no checkpoint.pt: the run stopped before its first epoch ended; starting it again", dir_);
  for (const auto& entry : fs::directory_iterator(dir_)) fs::remove_all(entry.path());
}

void TrainingRunDir::remove_temporary_files() const {
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp.") == std::string::npos) continue;
    std::error_code ec;
    fs::remove_all(entry.path(), ec);
    spdlog::info("removed {}, left by an interrupted write", entry.path().string());
  }
}

void write_json_file(const std::string& path, const nlohmann::json& j) { write_file_atomic(path, j.dump(2) + "\n"); }

LoadedModel load_model(const std::string& run_dir, const std::string& device) {
  if (!fs::is_directory(run_dir)) throw IoError("model directory " + run_dir + " does not exist");
  for (const char* f : {"config.json", "labels.json", "model.pt"})
    if (!fs::exists(fs::path(run_dir) / f))
      throw IoError("model directory " + run_dir + " has no " + f + " (not a finished nertool run?)");
  LoadedModel out;
  out.run_dir = run_dir;
  out.config = config_from_json(read_json_file((fs::path(run_dir) / "config.json").string()),
                                (fs::path(run_dir) / "config.json").string());
  const auto meta_path = fs::path(run_dir) / "metadata.json";
  if (fs::exists(meta_path)) {
    auto meta = read_json_file(meta_path.string());
    int version = meta.value("format_version", 0);
    if (version > kRunFormatVersion)
      throw IoError(run_dir + ": run directory format " + std::to_string(version) + " is newer than this nertool (" +
                    std::to_string(kRunFormatVersion) + "); update nertool");
  }
  models::BuildContext ctx;
  ctx.config = out.config.model;
  ctx.labels = models::LabelSet::from_json(read_json_file((fs::path(run_dir) / "labels.json").string()));
  ctx.train = nullptr;
  ctx.model_dir = run_dir;
  const auto t0 = std::chrono::steady_clock::now();
  out.tagger = models::build_tagger(ctx);
  const auto t1 = std::chrono::steady_clock::now();
  load_weights(*out.tagger, (fs::path(run_dir) / "model.pt").string());
  const auto t2 = std::chrono::steady_clock::now();
  using seconds = std::chrono::duration<double>;
  spdlog::debug("{}: model built in {:.2f} s, weights read in {:.2f} s", run_dir, seconds(t1 - t0).count(),
                seconds(t2 - t1).count());
  out.device = resolve_device(device);
  out.tagger->to(out.device);
  out.tagger->eval();
  return out;
}

// SHA-256 (FIPS 180-4), for data-file fingerprints in run metadata.
std::string sha256_hex(const std::string& bytes) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg = bytes;
  uint64_t bit_len = static_cast<uint64_t>(bytes.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_len >> (i * 8)) & 0xff));
  auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (static_cast<uint32_t>(static_cast<unsigned char>(msg[off + 4 * i])) << 24) |
             (static_cast<uint32_t>(static_cast<unsigned char>(msg[off + 4 * i + 1])) << 16) |
             (static_cast<uint32_t>(static_cast<unsigned char>(msg[off + 4 * i + 2])) << 8) |
             static_cast<uint32_t>(static_cast<unsigned char>(msg[off + 4 * i + 3]));
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = s0 + maj;
      hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h)
    for (int i = 28; i >= 0; i -= 4) out.push_back(hex[(v >> i) & 0xf]);
  return out;
}

std::string sha256_file(const std::string& path) { return sha256_hex(read_file(path)); }

}  // namespace nertool::train
