"""Remove Coral's ``PosenetDecoderOp`` from a model in memory so stock runtimes can run it.

Coral's ``*_decoder.tflite`` models end in the custom op ``PosenetDecoderOp``, which stock TFLite
runtimes cannot resolve (and Coral's prebuilt op library crashes current runtimes). Its three
inputs are the raw network outputs (heatmaps [1,h,w,17], short offsets [1,h,w,34], mid-range
offsets [1,h,w,64]), quantized better than in the ``*_quant.tflite`` files. Rewriting the
flatbuffer so those three tensors are the graph outputs gives a model our own decoder can serve.
Edge TPU compiled models keep their ``edgetpu-custom-op`` and still need the Edge TPU delegate.

The TFLite flatbuffer schema comes from ai-edge-litert (``ai_edge_litert.schema_py_generated``)
or TensorFlow (``tensorflow.lite.python.schema_py_generated``); ops are recognised by their
``custom_code``, never by the file name.
"""

import functools
import importlib
from types import ModuleType
from typing import Any

from ..errors import ModelError

POSENET_DECODER_OP = 'PosenetDecoderOp'
"""``custom_code`` of Coral's PoseNet decoder op."""

EDGETPU_CUSTOM_OP = 'edgetpu-custom-op'
"""``custom_code`` of the op that runs an Edge TPU compiled network."""

SCHEMA_MODULES = (
    ('ai_edge_litert.schema_py_generated', 'pip install ai-edge-litert'),
    ('tensorflow.lite.python.schema_py_generated', 'pip install tensorflow'),
)
"""Modules providing the generated TFLite schema, with install hints (tflite-runtime has none)."""

TFLITE_FILE_IDENTIFIER = b'TFL3'
"""Flatbuffer file identifier of ``.tflite`` models (bytes 4..8)."""


def _import_module(name: str) -> ModuleType:
    """Import one module; a separate function so tests can simulate a missing schema."""
    return importlib.import_module(name)


@functools.lru_cache(maxsize=1)
def load_schema() -> ModuleType:
    """Import the generated TFLite flatbuffer schema (cached).

    Returns:
        The ``schema_py_generated`` module (``Model``, ``ModelT`` ...).

    Raises:
        ModelError: No runtime that ships the schema is installed; says what to install.
    """
    reasons = []
    for name, _ in SCHEMA_MODULES:
        try:
            return _import_module(name)
        except Exception as error:  # any import failure makes it unavailable
            reasons.append(f'{name}: {type(error).__name__}: {error}')
    hints = ' or '.join(f'`{hint}`' for _, hint in SCHEMA_MODULES)
    raise ModelError(
        f'Reading the model graph needs the TFLite flatbuffer schema, which none of the installed '
        f'packages provides ({"; ".join(reasons)}). Install it with {hints}.')


def _check_identifier(model_content: bytes) -> None:
    if len(model_content) < 8 or model_content[4:8] != TFLITE_FILE_IDENTIFIER:
        raise ModelError('not a TFLite model (missing the "TFL3" flatbuffer identifier)')


def used_custom_ops(model_content: bytes) -> frozenset[str]:
    """Return the ``custom_code`` of every custom op some operator of the model uses.

    Args:
        model_content: ``.tflite`` flatbuffer bytes.

    Returns:
        Custom op names, e.g. ``{'PosenetDecoderOp'}``; empty for a builtin-only model.

    Raises:
        ModelError: The bytes are not a readable TFLite flatbuffer, or no schema is installed.
    """
    _check_identifier(model_content)
    schema = load_schema()
    try:
        model = schema.Model.GetRootAs(model_content, 0)
        codes = [model.OperatorCodes(i).CustomCode() for i in range(model.OperatorCodesLength())]
        used: set[str] = set()
        for s in range(model.SubgraphsLength()):
            subgraph = model.Subgraphs(s)
            if subgraph.OperatorsLength() > len(model_content):
                raise ValueError('operator count larger than the file')
            for o in range(subgraph.OperatorsLength()):
                code = codes[subgraph.Operators(o).OpcodeIndex()]
                if code:
                    used.add(code.decode('utf-8', 'replace'))
    except ModelError:
        raise
    except Exception as error:  # a truncated flatbuffer fails in many ways while reading
        raise ModelError(f'the TFLite flatbuffer is corrupt or truncated ({error})') from error
    return frozenset(used)


def _custom_code(model: Any, opcode_index: int) -> str:
    code = model.operatorCodes[opcode_index].customCode
    return code.decode('utf-8', 'replace') if code else ''


def remove_decoder_op(model_content: bytes) -> bytes:
    """Rewrite a model so ``PosenetDecoderOp`` is gone and its inputs are the graph outputs.

    The decoder's outputs (poses, keypoint scores, pose scores, count) leave the subgraph outputs
    (their tensors stay in the tensor table, unused); the decoder's three inputs (heatmaps,
    short offsets, mid-range offsets, in that order) become the outputs; the decoder's operator
    code is dropped so runtimes never try to resolve it; signature defs of the subgraph are
    rewritten to name the new outputs.

    Args:
        model_content: ``.tflite`` flatbuffer bytes with exactly one ``PosenetDecoderOp`` at the
            end of the main subgraph.

    Returns:
        The rewritten ``.tflite`` flatbuffer bytes.

    Raises:
        ModelError: No schema is installed, the bytes are not a TFLite model, or the graph does
            not contain exactly one ``PosenetDecoderOp`` with three inputs.
    """
    _check_identifier(model_content)
    schema = load_schema()
    try:
        model = schema.ModelT.InitFromPackedBuf(bytearray(model_content), 0)
    except Exception as error:  # a truncated flatbuffer fails in many ways while reading
        raise ModelError(f'the TFLite flatbuffer is corrupt or truncated ({error})') from error

    found = [(s, o) for s, subgraph in enumerate(model.subgraphs or [])
             for o, op in enumerate(subgraph.operators or [])
             if _custom_code(model, op.opcodeIndex) == POSENET_DECODER_OP]
    if len(found) != 1:
        raise ModelError(f'expected exactly one {POSENET_DECODER_OP} op, found {len(found)}')
    subgraph_index, op_index = found[0]
    subgraph = model.subgraphs[subgraph_index]
    decoder = subgraph.operators.pop(op_index)
    decoder_inputs = [int(i) for i in decoder.inputs]
    if len(decoder_inputs) != 3:
        raise ModelError(f'{POSENET_DECODER_OP} has {len(decoder_inputs)} inputs, expected 3 '
                         '(heatmaps, short offsets, mid-range offsets)')
    decoder_outputs = {int(i) for i in decoder.outputs}
    kept = [int(i) for i in subgraph.outputs if int(i) not in decoder_outputs]
    subgraph.outputs = kept + [i for i in decoder_inputs if i not in kept]
    _drop_unused_opcode(model, decoder.opcodeIndex)
    _rewrite_signatures(model, subgraph_index, subgraph)

    builder = _new_builder(len(model_content))
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_FILE_IDENTIFIER)
    return bytes(builder.Output())


def _new_builder(size_hint: int) -> Any:
    import flatbuffers  # installed with every runtime that ships the schema
    return flatbuffers.Builder(size_hint + 4096)


def _drop_unused_opcode(model: Any, opcode_index: int) -> None:
    """Remove an operator code no operator uses any more and renumber the others."""
    in_use = any(op.opcodeIndex == opcode_index
                 for subgraph in model.subgraphs for op in (subgraph.operators or []))
    if in_use:
        return
    del model.operatorCodes[opcode_index]
    for subgraph in model.subgraphs:
        for op in subgraph.operators or []:
            if op.opcodeIndex > opcode_index:
                op.opcodeIndex -= 1


def _rewrite_signatures(model: Any, subgraph_index: int, subgraph: Any) -> None:
    """Make signature defs of the rewritten subgraph list its new outputs."""
    if not model.signatureDefs:
        return
    schema = load_schema()
    for signature in model.signatureDefs:
        if signature.subgraphIndex != subgraph_index:
            continue
        outputs = []
        for tensor_index in subgraph.outputs:
            tensor_map = schema.TensorMapT()
            name = subgraph.tensors[tensor_index].name
            tensor_map.name = name.decode('utf-8') if isinstance(name, bytes) else name
            tensor_map.tensorIndex = int(tensor_index)
            outputs.append(tensor_map)
        signature.outputs = outputs
