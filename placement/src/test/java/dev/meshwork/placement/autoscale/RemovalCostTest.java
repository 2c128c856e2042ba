package dev.meshwork.placement.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.autoscale.RemovalCost.Copy;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RemovalCostTest {
    static final long NOW = 1_000_000_000L;
    static final long WINDOW = 60_000;
    static final long HOT = NOW - 5_000;
    static final long COLD = NOW - WINDOW - 1;

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("an empty node costs nothing", List.of(), 0),
                Arguments.of("a cold copy held elsewhere costs nothing", List.of(new Copy(COLD, 1)), 0),
                Arguments.of("a cold copy held nowhere else", List.of(new Copy(COLD, 0)), 1),
                Arguments.of("a hot copy held elsewhere", List.of(new Copy(HOT, 2)), 100),
                Arguments.of("a hot copy held nowhere else", List.of(new Copy(HOT, 0)), 10_000),
                Arguments.of("used exactly a window ago is still hot", List.of(new Copy(NOW - WINDOW, 0)), 10_000),
                Arguments.of("they add up", List.of(new Copy(HOT, 0), new Copy(HOT, 1), new Copy(COLD, 0), new Copy(COLD, 3)), 10_101),
                Arguments.of("it saturates", Collections.nCopies(300_000, new Copy(HOT, 0)), Integer.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void costs(String what, List<Copy> copies, int cost) {
        assertThat(RemovalCost.of(copies, NOW, WINDOW)).isEqualTo(cost);
    }

    @Test
    void oneHotCopyHeldNowhereElseOutweighsAnyNumberOfHotTwinsBelowAHundred() {
        int twins = RemovalCost.of(Collections.nCopies(99, new Copy(HOT, 1)), NOW, WINDOW);
        int alone = RemovalCost.of(List.of(new Copy(HOT, 0)), NOW, WINDOW);
        assertThat(alone).isGreaterThan(twins);
    }
}
