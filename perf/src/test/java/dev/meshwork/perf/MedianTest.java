package dev.meshwork.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The benchmarks' one median. */
class MedianTest {
    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Median.of(new double[]{0.41, 0.39, 0.50, 0.38})).isEqualTo(0.40, within(1e-12));
        assertThat(Median.of(new double[]{0.3})).isEqualTo(0.3);
    }

    @Test
    void noValuesHaveNoMedianAndTheInputIsLeftAsItWas() {
        assertThat(Median.of(new double[0])).isNaN();
        double[] values = {3, 1, 2};
        assertThat(Median.of(values)).isEqualTo(2);
        assertThat(values).containsExactly(3, 1, 2);
    }
}
