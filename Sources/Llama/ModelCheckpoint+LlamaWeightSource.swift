// An HF safetensors checkpoint is a Llama weight source as it is (HF names, HF layouts).

import Checkpoint

extension ModelCheckpoint: LlamaWeightSource {}
