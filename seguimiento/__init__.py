"""seguimiento: turns the follow-up data of UNCAC, IACAC and CRPD into DOCX and PDF reports.

Data flows one way: load (YAML → validated model) → measure (figures) → compose (document tree) →
write (DOCX, HTML, PDF). See docs/architecture.md.
"""

__version__ = "0.1.0"
