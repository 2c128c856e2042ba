package dev.meshwork.kserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {
    @ParameterizedTest
    @CsvSource({"512Mi, 536870912", "2Gi, 2147483648", "1.5Gi, 1610612736", "1G, 1000000000", "1e9, 1000000000", "100, 100",
            "64Ki, 65536", "1.5, 2", "3k, 3000"})
    void kubernetesQuantitiesAreBytes(String quantity, long bytes) {
        assertThat(Quantities.bytes(quantity, "limits.memory")).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Mi", "-1Gi", "1 Gi", "1Gb", "1e40", "9999999Ei", "512mi"})
    void anythingElseIsRefusedNamingTheField(String quantity) {
        assertThatThrownBy(() -> Quantities.bytes(quantity, "limits.memory")).hasMessageContaining("limits.memory");
    }
}
