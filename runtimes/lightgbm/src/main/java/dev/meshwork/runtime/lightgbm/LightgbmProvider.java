package dev.meshwork.runtime.lightgbm;

import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.util.Set;

/** LightGBM (lightgbm4j's native library) as a plug-in; CPU only. */
public final class LightgbmProvider implements RuntimeProvider {
    @Override
    public String name() {
        return "lightgbm";
    }

    @Override
    public Set<String> formats() {
        return Set.of("lightgbm");
    }

    @Override
    public boolean isAvailable() {
        return RuntimeProvider.classPresent("com.microsoft.ml.lightgbm.lightgbmlib");
    }

    /** Its native parser trusts the file: a bad one aborts the process, so it runs in a child process by default. */
    @Override
    public boolean isolatedByDefault() {
        return true;
    }

    @Override
    public RuntimeAdapter create(RuntimeSettings settings) {
        settings.requireCpu(name());
        return new LightgbmRuntimeAdapter(settings.checkModelFiles());
    }
}
