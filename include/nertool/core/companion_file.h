#pragma once
// Files nertool's programs find beside themselves: the companion program `nertool-torch` (started by `nertool`) and
// the SentencePiece module (loaded by the text area). One rule for both, so an installed nertool, the build folder
// and the test programs (which live elsewhere) all find the same files.
#include <string>
#include <vector>

namespace nertool {

// The running program's path (/proc/self/exe); empty when it cannot be read.
std::string running_program_path();

// Where the companion file `name` may be, in the order to try: `override_path` alone when it is set and not empty
// (the value of an environment variable the user set); else `name` in the running program's folder, then
// `build_path`, where the build put it.
std::vector<std::string> companion_file_candidates(const std::string& name, const std::string& build_path,
                                                   const char* override_path = nullptr);

}  // namespace nertool
