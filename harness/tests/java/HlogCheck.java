// HlogCheck: reads a latency.hlog with HdrHistogram's own HistogramLogReader (Debian's libhdrhistogram-java),
// adds every interval and prints what t_52_hlog.sh compares with report.json, one "key value" per line:
// intervals, the first interval's start (ms since the epoch), total count, max, p50, p99, p99.9 (values as
// logged: ns), and each interval's layout (significant digits, lowest and highest trackable value).
import java.io.FileNotFoundException;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

public class HlogCheck {
    public static void main(String[] args) throws FileNotFoundException {
        if (args.length != 1) {
            System.err.println("usage: HlogCheck latency.hlog");
            System.exit(2);
        }
        HistogramLogReader reader = new HistogramLogReader(args[0]);
        Histogram total = null;
        long intervals = 0, firstStart = -1, empty = 0, lastEnd = -1;
        EncodableHistogram e;
        while ((e = reader.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            if (intervals == 0) {
                firstStart = h.getStartTimeStamp();
                System.out.println("digits " + h.getNumberOfSignificantValueDigits());
                System.out.println("lowest " + h.getLowestDiscernibleValue());
                System.out.println("highest " + h.getHighestTrackableValue());
            } else if (h.getStartTimeStamp() != lastEnd) {
                System.err.println("interval " + intervals + " starts at " + h.getStartTimeStamp() +
                                   ", the previous one ended at " + lastEnd);
                System.exit(1);
            }
            lastEnd = h.getEndTimeStamp();
            if (h.getTotalCount() == 0) empty++;
            intervals++;
            if (total == null) total = h.copy();
            else total.add(h);
        }
        System.out.println("intervals " + intervals);
        System.out.println("empty " + empty);
        System.out.println("first_start_ms " + firstStart);
        System.out.println("start_time_s " + reader.getStartTimeSec());
        if (total == null) total = new Histogram(1, 3600000000000L, 2);
        System.out.println("count " + total.getTotalCount());
        System.out.println("max " + total.getMaxValue());
        System.out.println("p50 " + total.getValueAtPercentile(50.0));
        System.out.println("p99 " + total.getValueAtPercentile(99.0));
        System.out.println("p999 " + total.getValueAtPercentile(99.9));
    }
}
