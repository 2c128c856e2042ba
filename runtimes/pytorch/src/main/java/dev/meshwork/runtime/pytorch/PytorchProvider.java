package dev.meshwork.runtime.pytorch;

import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.Set;

/** PyTorch through DJL as a plug-in; a cuda:N device becomes DJL's GPU device. */
public final class PytorchProvider implements RuntimeProvider {
    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public Set<String> formats() {
        return Set.of("pytorch");
    }

    @Override
    public boolean isAvailable() {
        return RuntimeProvider.classPresent("ai.djl.pytorch.engine.PtEngine");
    }

    @Override
    public RuntimeAdapter create(RuntimeSettings settings) {
        return new PytorchRuntimeAdapter(settings.device());
    }
}
