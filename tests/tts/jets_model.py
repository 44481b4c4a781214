"""A tiny, randomly initialised ESPnet JETS (Korean jamo tokens) built from a config, so CI tests
the real loading and synthesis code without any downloaded weights."""
from __future__ import annotations

import os

import yaml

TOKENS = (["<blank>", "<unk>", "<space>"] + [chr(c) for c in range(0x1100, 0x1113)]
          + [chr(c) for c in range(0x1161, 0x1176)] + [chr(c) for c in range(0x11A8, 0x11C3)]
          + [".", ",", "?", "!", "<sos/eos>"])
GENERATOR = dict(adim=16, aheads=2, elayers=1, eunits=16, dlayers=1, dunits=16, duration_predictor_layers=1,
                 duration_predictor_chans=16, energy_predictor_layers=1, energy_predictor_chans=16,
                 pitch_predictor_layers=1, pitch_predictor_chans=16, generator_channels=16,
                 generator_upsample_scales=[8, 8, 2, 2], generator_upsample_kernel_sizes=[16, 16, 4, 4],
                 generator_resblock_kernel_sizes=[3], generator_resblock_dilations=[[1]], segment_size=8)
DISCRIMINATOR = dict(scales=1, periods=[2], scale_discriminator_params=dict(channels=4, max_downsample_channels=8, max_groups=1),
                     period_discriminator_params=dict(channels=4, max_downsample_channels=8))


def build(folder: str, seed: int = 0) -> tuple[str, str]:
    """Write config.yaml and model.pth for a random JETS into `folder`; returns their paths."""
    from nodes.tts.jets import _import_espnet
    _import_espnet()
    import torch
    from espnet2.tasks.tts import TTSTask
    torch.manual_seed(seed)
    os.makedirs(folder, exist_ok=True)
    tokens = os.path.join(folder, "tokens.txt")
    with open(tokens, "w", encoding="utf-8") as f:
        f.write("\n".join(TOKENS) + "\n")
    stft = dict(fs=22050, n_fft=1024, hop_length=256)
    args = TTSTask.get_parser().parse_args([
        "--token_type", "phn", "--g2p", "korean_jaso", "--cleaner", "none", "--token_list", tokens,
        "--tts", "jets", "--tts_conf", yaml.safe_dump(dict(generator_params=GENERATOR, discriminator_params=DISCRIMINATOR,
                                                           sampling_rate=22050)),
        "--feats_extract", "fbank", "--feats_extract_conf", yaml.safe_dump(dict(stft, n_mels=80)),
        "--pitch_extract", "dio", "--pitch_extract_conf", yaml.safe_dump(dict(stft, f0max=400, f0min=80)),
        "--energy_extract", "energy", "--energy_extract_conf", yaml.safe_dump(stft),
        "--normalize", "none", "--pitch_normalize", "none", "--energy_normalize", "none",
        "--output_dir", os.path.join(folder, "exp")])
    model = TTSTask.build_model(args)
    model_file, config = os.path.join(folder, "model.pth"), os.path.join(folder, "config.yaml")
    torch.save(model.state_dict(), model_file)
    conf = vars(args)
    conf["token_list"] = TOKENS
    with open(config, "w", encoding="utf-8") as f:
        yaml.safe_dump(conf, f, allow_unicode=True)
    return config, model_file
