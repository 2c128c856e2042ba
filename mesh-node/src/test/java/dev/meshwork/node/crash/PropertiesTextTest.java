package dev.meshwork.node.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the ledger writes by hand reads back through {@link Properties#load} unchanged. */
class PropertiesTextTest {
    @Test
    void everyAwkwardCharacterRoundTrips() throws Exception {
        String[] values = {"plain", "ns/model:v1", "a=b", " leading and trailing ", "#!:=\\", "tab\there\nnew line\r\f",
                "ünïcødé \u4e2d\u6587 \ud83d\ude00", "\u0000\u001f\u007f", ""};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            PropertiesText.append(text, "key " + i + " =:#!" + values[i], values[i]);
        }
        Properties read = new Properties();
        read.load(new StringReader(text.toString()));
        assertThat(read).hasSize(values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(read.getProperty("key " + i + " =:#!" + values[i])).isEqualTo(values[i]);
        }
        assertThat(text.toString()).as("one line per entry").hasLineCount(values.length);
    }
}
