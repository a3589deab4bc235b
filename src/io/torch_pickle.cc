#include "nertool/io/torch_pickle.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::io {

NamedTensors read_torch_state_dict(const std::string& path) {
  std::string bytes = read_file(path);
  // torch.save's zip format starts with a local-file header "PK\x03\x04"; the legacy format is a bare pickle.
  if (bytes.size() < 4 || bytes.compare(0, 4, "PK\x03\x04") != 0)
    throw InputError(path, 0,
                     "not a zip-format PyTorch checkpoint (files saved by PyTorch < 1.6 must be re-saved with "
                     "torch.save, or converted to model.safetensors)");
  // LibTorch's unpickler understands torch.save's plain-dict state dicts (persistent storage ids,
  // torch._utils._rebuild_tensor_v2), which is what transformers has written since 2022. It turns a
  // collections.OrderedDict (what `model.state_dict()` returns, saved as such by older transformers) into None and
  // then fails on an internal assertion: say so, with the way out. Only the top-level object matters: tensors carry
  // an empty OrderedDict of backward hooks, which LibTorch handles. (torch.save stores data.pkl uncompressed, first.)
  const auto pkl = bytes.find("data.pkl");
  const auto proto = pkl == std::string::npos ? pkl : bytes.find("\x80\x02", pkl);
  if (proto != std::string::npos && bytes.compare(proto + 2, 25, "ccollections\nOrderedDict\n") == 0)
    throw InputError(path, 0,
                     "this checkpoint holds a collections.OrderedDict (torch.save(model.state_dict()) from older "
                     "transformers), which LibTorch's unpickler cannot read; use the repository's "
                     "model.safetensors, or re-save the weights once in Python: "
                     "python3 -c \"import sys,torch; p=sys.argv[1]; torch.save(dict(torch.load(p)), p)\" " + path);
  c10::IValue value;
  try {
    std::vector<char> data(bytes.begin(), bytes.end());
    bytes.clear();
    value = torch::pickle_load(data);
  } catch (const c10::Error& e) {
    throw InputError(path, 0, std::string("cannot read PyTorch checkpoint: ") + e.what_without_backtrace());
  }
  if (!value.isGenericDict()) throw InputError(path, 0, "PyTorch checkpoint does not hold a dict of tensors");
  NamedTensors out;
  for (const auto& kv : value.toGenericDict()) {
    if (!kv.key().isString()) throw InputError(path, 0, "PyTorch checkpoint has a non-string key");
    if (!kv.value().isTensor()) continue;
    out.emplace_back(kv.key().toStringRef(), kv.value().toTensor());
  }
  if (out.empty()) throw InputError(path, 0, "PyTorch checkpoint holds no tensors");
  return out;
}

}  // namespace nertool::io
