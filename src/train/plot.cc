#include "nertool/train/plot.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

extern char** environ;

namespace nertool::train {

namespace {
bool have_gnuplot() {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && ::access((dir + "/gnuplot").c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// Runs `gnuplot SCRIPT` without a shell, its output discarded; returns its exit status (-1: not started).
int run_gnuplot(const std::string& script) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string prog = "gnuplot";
  std::vector<char*> argv = {prog.data(), const_cast<char*>(script.c_str()), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}
}  // namespace

bool plot_epoch_curves(const std::vector<EpochCurve>& curves, const std::string& y_label, const std::string& png_path,
                       const std::string& title) {
  int last_epoch = 0;
  for (const auto& c : curves)
    for (const auto& [epoch, value] : c.points) last_epoch = std::max(last_epoch, epoch);
  if (last_epoch == 0) return false;
  if (!have_gnuplot()) {
    spdlog::warn("gnuplot not found: skipping {} (install gnuplot-nox)", png_path);
    return false;
  }
  namespace fs = std::filesystem;
  const std::string stem = png_path + ".tmp." + std::to_string(::getpid());
  const std::string tmp_png = stem + ".png", data = stem + ".dat", script = stem + ".gp";
  {
    std::ofstream d(data);
    for (const auto& c : curves) {  // one gnuplot data block per curve
      for (const auto& [epoch, value] : c.points)
        if (std::isfinite(value)) d << epoch << ' ' << value << '\n';
      d << "\n\n";
    }
    std::ofstream s(script);
    s << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 800,500 } "
         "else { set terminal png size 800,500 }\n"
      << "set output " << quote(tmp_png) << "\n"
      << "set title " << quote(title) << " noenhanced\n"
      << "set xlabel 'epoch'\nset ylabel " << quote(y_label) << "\nset grid\nset key outside bottom center horizontal\n"
      << "set xrange [0.5:" << last_epoch + 0.5 << "]\nplot ";
    bool first = true;
    for (std::size_t i = 0; i < curves.size(); ++i) {
      const bool any = std::any_of(curves[i].points.begin(), curves[i].points.end(),
                                   [](const auto& p) { return std::isfinite(p.second); });
      if (!any) continue;
      s << (first ? "" : ", ") << quote(data) << " index " << i << " using 1:2 with linespoints title "
        << quote(curves[i].title);
      first = false;
    }
    s << "\n";
  }
  int rc = run_gnuplot(script);
  std::error_code ec;
  bool ok = rc == 0 && fs::exists(tmp_png);
  if (ok) fs::rename(tmp_png, png_path, ec);
  fs::remove(data, ec);
  fs::remove(script, ec);
  fs::remove(tmp_png, ec);
  if (!ok) spdlog::warn("gnuplot failed (exit status {}): {} not written", rc, png_path);
  return ok;
}

bool plot_f1(const std::vector<F1Point>& points, const std::string& png_path, const std::string& title) {
  EpochCurve dev{"dev", {}}, test{"test", {}};
  for (const auto& p : points) {
    dev.points.emplace_back(p.epoch, p.dev_f1 * 100);
    test.points.emplace_back(p.epoch, p.test_f1 ? *p.test_f1 * 100 : std::nan(""));
  }
  return plot_epoch_curves({dev, test}, "F1 (%)", png_path, title);
}

}  // namespace nertool::train
