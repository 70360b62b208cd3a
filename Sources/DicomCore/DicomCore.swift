// DicomCore
