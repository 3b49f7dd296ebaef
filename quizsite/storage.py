"""Static files storage for production that never turns a missing manifest entry into a 500."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class LenientManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names for files in the manifest; the plain name for anything else.

    Django's manifest storage raises (and every page becomes a 500) when a file is missing
    from the manifest, e.g. after `collectstatic` with the development settings."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        hashed = self.hashed_files.get(self.hash_key(self.clean_name(name)))
        return hashed if hashed is not None else name
