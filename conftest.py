import os

# Tests run without a production secret; settings refuse to start without one otherwise.
os.environ.setdefault("CLINIC_ALLOW_INSECURE_KEY", "1")
