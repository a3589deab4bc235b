#pragma once
// The device a run asks for, as written in `train.device` or `--device`: auto (CUDA when usable), cpu, cuda or
// cuda:N. Parsed once where the text comes in; train/device.h resolves it to a LibTorch device. Free of LibTorch.
#include <optional>
#include <string>
#include <string_view>

namespace nertool::train {

struct DeviceRequest {
  enum class Kind { kAuto, kCpu, kCuda };
  Kind kind = Kind::kAuto;
  int index = -1;  // cuda:N; -1: the current CUDA device

  // As written: "auto", "cpu", "cuda", "cuda:N".
  std::string text() const {
    switch (kind) {
      case Kind::kAuto:
        return "auto";
      case Kind::kCpu:
        return "cpu";
      case Kind::kCuda:
        break;
    }
    return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
  }
  bool operator==(const DeviceRequest& o) const { return kind == o.kind && index == o.index; }
};

inline constexpr const char* kDeviceRule = "auto, cpu, cuda or cuda:N";

// The request `text` names; nullopt when it names none (N: 0 to 1023).
inline std::optional<DeviceRequest> parse_device_request(std::string_view text) {
  using Kind = DeviceRequest::Kind;
  if (text == "auto") return DeviceRequest{Kind::kAuto, -1};
  if (text == "cpu") return DeviceRequest{Kind::kCpu, -1};
  if (text == "cuda") return DeviceRequest{Kind::kCuda, -1};
  constexpr std::string_view prefix = "cuda:";
  if (text.substr(0, prefix.size()) != prefix || text.size() == prefix.size() || text.size() > prefix.size() + 4)
    return std::nullopt;
  int index = 0;
  for (char c : text.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + (c - '0');
  }
  if (index > 1023) return std::nullopt;
  return DeviceRequest{Kind::kCuda, index};
}

}  // namespace nertool::train
