export { GraphBuilder, type NodeOptions } from './builder';
export { elemTypeName, inspectModel, ProtoDecodeError, type InspectedModel, type InspectedValue } from './inspect';
export {
  attr,
  DataType,
  encodeModel,
  IR_VERSION,
  MAX_ONNX_ML_OPSET,
  MAX_ONNX_OPSET,
  ONNX_DOMAIN,
  ONNX_ML_DOMAIN,
  PRODUCER_NAME,
  type AttributeDef,
  type DataTypeCode,
  type Dim,
  type GraphDef,
  type ModelDef,
  type NodeDef,
  type OpsetImport,
  type TensorDef,
  type ValueInfoDef,
} from './model';
