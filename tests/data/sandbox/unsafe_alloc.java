// Memory outside the Java heap (-Xmx does not cover it): Unsafe.allocateMemory
// in 64 MiB steps up to 2 GiB, each one touched.
import java.lang.reflect.Field;
public class Main {
    public static void main(String[] args) throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
        long mb = 0;
        for (; mb < 2048; mb += 64) {
            long p = u.allocateMemory(64L << 20);
            u.setMemory(p, 64L << 20, (byte) 1);
            System.err.println("allocated " + (mb + 64) + " MB");
        }
        System.out.println("ESCAPED: " + mb + " MB");
    }
}
