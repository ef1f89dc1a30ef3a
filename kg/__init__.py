"""funding-kg: a knowledge graph of Japan's public funding for health and medical research."""

__version__ = "0.1.0"
