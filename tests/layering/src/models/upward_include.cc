// A step back for the layering test (tests/CMakeLists.txt): models may not include train. Never compiled.
#include "nertool/models/tagger.h"
#include "nertool/train/trainer.h"
