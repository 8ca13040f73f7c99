package ai.aicrypto.plaza.worker.gpu;

import ai.aicrypto.plaza.worker.Log;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CUDA device discovery through JCuda's driver API. Without an NVIDIA driver (no {@code libcuda.so.1}), or with
 * no device, {@link #discover()} returns an empty list and logs one line saying why; the worker then trains on
 * the CPU.
 */
public final class GpuDevices {

    private static List<GpuDevice> cached;
    private static String unavailableReason;

    private GpuDevices() {
    }

    public static synchronized List<GpuDevice> discover() {
        if (cached != null) return cached;
        List<GpuDevice> found = new ArrayList<>();
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            for (int i = 0; i < count[0]; i++) {
                CUdevice dev = new CUdevice();
                JCudaDriver.cuDeviceGet(dev, i);
                byte[] name = new byte[256];
                JCudaDriver.cuDeviceGetName(name, name.length, dev);
                int len = 0;
                while (len < name.length && name[len] != 0) len++;
                long[] mem = {0};
                JCudaDriver.cuDeviceTotalMem(mem, dev);
                int[] major = {0}, minor = {0};
                JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
                JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
                found.add(new GpuDevice(i, new String(name, 0, len, StandardCharsets.UTF_8), mem[0], major[0], minor[0]));
            }
            if (found.isEmpty()) unavailableReason = "the CUDA driver reports no device";
        } catch (Throwable t) {
            // UnsatisfiedLinkError when libcuda.so.1 is missing, CudaException when the driver finds no device.
            unavailableReason = "no usable CUDA driver (" + firstLine(t) + ")";
        }
        cached = List.copyOf(found);
        if (cached.isEmpty()) {
            Log.info("No GPU: " + unavailableReason + "; the GPU engine is disabled, training runs on the CPU engine.");
        } else {
            cached.forEach(d -> Log.info("Found " + d));
        }
        return cached;
    }

    /** Why no GPU is available, or null when one is. */
    public static synchronized String unavailableReason() {
        discover();
        return unavailableReason;
    }

    /** A one-line reason; JCuda's UnsatisfiedLinkError buries the missing library in a multi-line message. */
    private static String firstLine(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = String.valueOf(t.getMessage());
        for (String line : m.split("\n")) {
            if (line.contains("cannot open shared object file")) {
                int so = line.indexOf(".so: ");
                return so >= 0 ? line.substring(so + 5).trim() : line.trim();
            }
        }
        String first = t.getClass().getSimpleName() + ": " + m;
        int nl = first.indexOf('\n');
        return nl < 0 ? first : first.substring(0, nl);
    }
}
