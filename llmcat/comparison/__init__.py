"""What `diff` compares: which call pairs with which (`pairing`, by path, then by `identity`),
what differs between two calls' comparable trees (`trees`), how long texts align (`words`),
what changed in a few words (`summary`) and git's side (`git`). Works on the model; never renders."""
