package io.jifen.ledger.server.load;

import java.util.SplittableRandom;

/**
 * Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s: a few members are very busy, most are quiet, as
 * in a real membership base. Inverse-CDF over a table of cumulative weights in doubles (8 bytes a member, 80 MB for
 * 10M): floats cannot tell the tail's members apart at that size.
 */
final class ZipfSampler
{
    private final double[] cumulative;

    ZipfSampler(final int n, final double exponent)
    {
        if (n < 1)
        {
            throw new IllegalArgumentException("population must be at least 1");
        }
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            total += 1.0 / Math.pow(i + 1, exponent);
        }
        cumulative = new double[n];
        double running = 0;
        for (int i = 0; i < n; i++)
        {
            running += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = running / total;
        }
        cumulative[n - 1] = 1.0;
    }

    int sample(final SplittableRandom random)
    {
        final double u = random.nextDouble();
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (cumulative[mid] < u)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
