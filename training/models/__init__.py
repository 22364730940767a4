"""PyTorch modules of the mini NExT-GPT and their ONNX exports (see training/README.md)."""
