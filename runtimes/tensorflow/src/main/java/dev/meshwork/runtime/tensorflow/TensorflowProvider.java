package dev.meshwork.runtime.tensorflow;

import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.Set;

/** TensorFlow Java as a plug-in; CPU only. */
public final class TensorflowProvider implements RuntimeProvider {
    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public Set<String> formats() {
        return Set.of("tensorflow");
    }

    @Override
    public boolean isAvailable() {
        return RuntimeProvider.classPresent("org.tensorflow.SavedModelBundle");
    }

    @Override
    public RuntimeAdapter create(RuntimeSettings settings) {
        settings.requireCpu(name());
        return new TensorflowRuntimeAdapter();
    }
}
