package dev.meshwork.perf.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chart is a PNG with the lines drawn in the plot area (headless, no display). */
class LineChartTest {
    @Test
    void writesAPngWithTheSeriesDrawn(@TempDir Path dir) throws Exception {
        double[] x = {0, 1, 2, 3, 4};
        new LineChart("t", "seconds", "ms (log)").logY().shade(0, 1, "warm-up")
                .add("p50", x, new double[]{1, 2, Double.NaN, 4, 5}).reference("budget", new double[]{0, 4}, new double[]{3, 3})
                .write(dir.resolve("c.png"));
        BufferedImage img = ImageIO.read(dir.resolve("c.png").toFile());
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(420);
        int blue = 0;
        for (int px = 80; px < 720; px++) { // the plot area
            for (int py = 40; py < 370; py++) {
                int rgb = img.getRGB(px, py) & 0xffffff;
                if (rgb == ((31 << 16) | (119 << 8) | 180)) {
                    blue++;
                }
            }
        }
        assertThat(blue).as("pixels of the first series' colour in the plot area").isGreaterThan(50);
    }

    @Test
    void anEmptyChartStillWrites(@TempDir Path dir) throws Exception {
        new LineChart("empty", "x", "y").add("none", new double[0], new double[0]).write(dir.resolve("e.png"));
        assertThat(ImageIO.read(dir.resolve("e.png").toFile())).isNotNull();
    }
}
