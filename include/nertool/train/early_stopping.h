#pragma once
// Best-on-dev tracking and early stopping: an epoch whose dev F1 beats every earlier one is the best (its weights
// are kept); `patience` epochs in a row without that stop training, unless the last epoch is reached anyway.
namespace nertool::train {

struct EarlyStopping {
  int patience = 0;  // 0: never stop early
  double best_dev_f1 = -1;
  int best_epoch = 0;
  int bad_epochs = 0;
  bool stopped = false;

  // Records a finished epoch; returns whether it is the new best.
  bool observe(int epoch, double dev_f1, int max_epochs) {
    const bool improved = dev_f1 > best_dev_f1;
    if (improved) {
      best_dev_f1 = dev_f1;
      best_epoch = epoch;
      bad_epochs = 0;
    } else {
      ++bad_epochs;
    }
    stopped = patience > 0 && bad_epochs >= patience && epoch < max_epochs;
    return improved;
  }
};

}  // namespace nertool::train
