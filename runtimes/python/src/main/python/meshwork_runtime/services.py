"""The two gRPC services, mmesh.ModelRuntime and inference.GRPCInferenceService, as generic
handlers over the messages protoc generated from Meshwork's own .proto files (no grpc_tools
stubs needed). Threads: gRPC's worker pool calls every handler."""
import grpc

from inference import grpc_predict_v2_pb2 as oip
from mmesh import model_runtime_pb2 as rt

from meshwork_runtime import VERSION, tensors
from meshwork_runtime.confine import OutsideRoots
from meshwork_runtime.formats import LoadError
from meshwork_runtime.store import ModelStore

MIB = 1 << 20


def _fail(context, e):
    """Ends the call with the status that says what kind of failure e is, and its words."""
    if isinstance(e, OutsideRoots):
        context.abort(grpc.StatusCode.PERMISSION_DENIED, str(e))
    if isinstance(e, FileNotFoundError):
        context.abort(grpc.StatusCode.NOT_FOUND, f"{e.filename or e}: no such file")
    if isinstance(e, (LoadError, tensors.TensorError, ValueError, TypeError)):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
    context.abort(grpc.StatusCode.INTERNAL, f"{type(e).__name__}: {e}")


class Runtime:
    """Both services over one ModelStore."""

    def __init__(self, store: ModelStore, capacity_bytes=0, load_timeout_ms=90_000):
        self.store = store
        self.capacity_bytes = capacity_bytes
        self.load_timeout_ms = load_timeout_ms

    # mmesh.ModelRuntime
    def runtime_status(self, request, context):
        import sklearn
        try:
            import xgboost
            xgb = xgboost.__version__
        except ImportError:
            xgb = "absent"
        return rt.RuntimeStatusResponse(
            status=rt.RuntimeStatusResponse.READY, capacityInBytes=self.capacity_bytes, maxLoadingConcurrency=1,
            modelLoadingTimeoutMs=self.load_timeout_ms, defaultModelSizeInBytes=MIB,
            runtimeVersion=f"meshwork-python {VERSION} (scikit-learn {sklearn.__version__}, xgboost {xgb})")

    def load_model(self, request, context):
        try:
            size = self.store.load(request.modelId, request.modelType, request.modelPath)
        except Exception as e:
            _fail(context, e)
        return rt.LoadModelResponse(sizeInBytes=size)

    def unload_model(self, request, context):
        self.store.unload(request.modelId)
        return rt.UnloadModelResponse()

    def predict_model_size(self, request, context):
        try:
            return rt.PredictModelSizeResponse(sizeInBytes=ModelStore.predict_size(request.modelPath))
        except Exception as e:
            _fail(context, e)

    def model_size(self, request, context):
        size = self.store.size(request.modelId)
        if size == 0:
            context.abort(grpc.StatusCode.NOT_FOUND, f"model '{request.modelId}' is not loaded")
        return rt.ModelSizeResponse(sizeInBytes=size)

    # inference.GRPCInferenceService
    def _model(self, name, context):
        model = self.store.get(name)
        if model is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"model '{name}' is not loaded in this runtime")
        return model

    def model_infer(self, request, context):
        model = self._model(request.model_name, context)
        try:
            raw = list(request.raw_input_contents)
            if raw and len(raw) != len(request.inputs):
                raise tensors.TensorError(f"raw_input_contents has {len(raw)} entries for {len(request.inputs)} inputs")
            arrays = [(t.name, tensors.decode_input(t, raw[i] if raw else None)) for i, t in enumerate(request.inputs)]
            results = model.predict(arrays, [o.name for o in request.outputs])
            response = oip.ModelInferResponse(model_name=request.model_name, id=request.id)
            for name, datatype, array in results:
                fields, data = tensors.encode_output(name, array, datatype)
                response.outputs.add(**fields)
                response.raw_output_contents.append(data)
            return response
        except Exception as e:
            _fail(context, e)

    def model_metadata(self, request, context):
        model = self._model(request.name, context)
        response = oip.ModelMetadataResponse(name=request.name, platform="meshwork-python")
        for name, datatype, shape in model.inputs:
            response.inputs.add(name=name, datatype=datatype, shape=shape)
        for name, datatype, shape in model.outputs:
            response.outputs.add(name=name, datatype=datatype, shape=shape)
        return response

    def model_ready(self, request, context):
        return oip.ModelReadyResponse(ready=self.store.get(request.name) is not None)

    def server_live(self, request, context):
        return oip.ServerLiveResponse(live=True)

    def server_ready(self, request, context):
        return oip.ServerReadyResponse(ready=True)

    def server_metadata(self, request, context):
        return oip.ServerMetadataResponse(name="meshwork-python", version=VERSION)

    def handlers(self):
        def unary(fn, req, resp):
            return grpc.unary_unary_rpc_method_handler(fn, request_deserializer=req.FromString, response_serializer=resp.SerializeToString)
        return [
            grpc.method_handlers_generic_handler("mmesh.ModelRuntime", {
                "runtimeStatus": unary(self.runtime_status, rt.RuntimeStatusRequest, rt.RuntimeStatusResponse),
                "loadModel": unary(self.load_model, rt.LoadModelRequest, rt.LoadModelResponse),
                "unloadModel": unary(self.unload_model, rt.UnloadModelRequest, rt.UnloadModelResponse),
                "predictModelSize": unary(self.predict_model_size, rt.PredictModelSizeRequest, rt.PredictModelSizeResponse),
                "modelSize": unary(self.model_size, rt.ModelSizeRequest, rt.ModelSizeResponse),
            }),
            grpc.method_handlers_generic_handler("inference.GRPCInferenceService", {
                "ModelInfer": unary(self.model_infer, oip.ModelInferRequest, oip.ModelInferResponse),
                "ModelMetadata": unary(self.model_metadata, oip.ModelMetadataRequest, oip.ModelMetadataResponse),
                "ModelReady": unary(self.model_ready, oip.ModelReadyRequest, oip.ModelReadyResponse),
                "ServerLive": unary(self.server_live, oip.ServerLiveRequest, oip.ServerLiveResponse),
                "ServerReady": unary(self.server_ready, oip.ServerReadyRequest, oip.ServerReadyResponse),
                "ServerMetadata": unary(self.server_metadata, oip.ServerMetadataRequest, oip.ServerMetadataResponse),
            }),
        ]
