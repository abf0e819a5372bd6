"""Report generators: one class per report, each producing tables for HTML, CSV and XLSX.

The pattern follows django-oscar's dashboard reports: a generator knows what its report holds
(`tables()` and any extra page context); formatters know how to write a table. A new report is
one generator class.
"""
