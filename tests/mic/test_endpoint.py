"""End of turn on real speech: a pause shorter than max_wait_s keeps one utterance, a longer one
splits it, and a finished sentence ends within 0.8 s."""
import numpy as np

from hardware.audio_in import load_audio
from nodes.mic.endpoint import EndpointParams, Endpointer
from nodes.mic.models import SileroVad, SmartTurn
from tests.mic.audio import CLEAN

SPLIT_S = 1.74     # between 별도 | 지원금을 in the clean clip (Whisper word timestamps)


def utterances(pcm, params, eot=None):
    ep = Endpointer(SileroVad(), eot, params)
    pcm = np.concatenate([pcm, np.zeros(3 * 16000, np.int16)])
    ends = [ev for i in range(0, len(pcm) - 319, 320) for ev in ep.feed(pcm[i:i + 320]) if ev.kind == "end"]
    return ends + ep.flush()


def paused(pause_s):
    clip = load_audio(CLEAN)
    cut = int(SPLIT_S * 16000)
    return np.concatenate([np.zeros(8000, np.int16), clip[:cut], np.zeros(int(pause_s * 16000), np.int16), clip[cut:]])


def test_a_pause_shorter_than_max_wait_is_one_utterance_when_the_turn_is_unfinished():
    eot = SmartTurn()
    # eot_threshold above 1: the model is never sure the senior has finished, so only max_wait ends it
    p = EndpointParams(eot_threshold=1.01, max_wait_s=2.5)
    one = utterances(paused(1.5), p, eot)
    assert len(one) == 1 and one[0].reason == "max_wait"
    assert len(one[0].pcm) / 16000 > 3.47 + 1.5 - 0.3
    two = utterances(paused(3.0), p, eot)
    assert len(two) == 2


def test_a_finished_sentence_ends_within_0_8_s():
    clip = load_audio(CLEAN)
    pcm = np.concatenate([np.zeros(8000, np.int16), clip])
    ends = utterances(pcm, EndpointParams(), SmartTurn())
    assert len(ends) == 1 and ends[0].reason == "end_of_turn" and ends[0].eot_prob >= 0.5
    assert (ends[0].at - len(pcm)) / 16000 <= 0.8          # decided within 0.8 s of the audio's end


def test_speech_resuming_soon_after_an_early_end_continues_the_utterance():
    eot = SmartTurn()
    p = EndpointParams(eot_threshold=0.0, rejoin_below=1.01)     # the model always says "finished"
    ep = Endpointer(SileroVad(), eot, p)
    pcm = np.concatenate([paused(1.5), np.zeros(3 * 16000, np.int16)])
    evs = [ev for i in range(0, len(pcm) - 319, 320) for ev in ep.feed(pcm[i:i + 320])]
    assert [e.kind for e in evs] == ["start", "end", "start", "end"]
    assert evs[1].reason == "end_of_turn" and evs[2].continues == evs[1].utterance
    assert len(evs[3].pcm) / 16000 > 3.47 + 1.5 - 0.3 and evs[3].pcm_start == evs[1].pcm_start
    assert [e.kind for e in utterances(paused(3.0), EndpointParams(eot_threshold=0.0, rejoin_below=1.01))].count("end") == 2
    assert all(not e.continues for e in utterances(paused(1.5), EndpointParams(eot_threshold=0.0, rejoin_below=0.0)))
