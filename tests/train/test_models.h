#pragma once
// Test-only tagger parts, registered as encoder "test_bag" and decoder "test_softmax": a word embedding plus a
// bag of hashed character embeddings with dropout, and a linear softmax output. Small and fast, but with a
// vocabulary file, random initialisation and dropout, so the trainer's run directories, RNG handling and resume
// are exercised as the real encoders will exercise them.
namespace nertool::testing {
void register_test_models();
}
