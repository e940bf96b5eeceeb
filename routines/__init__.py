"""The routines shipped with routine-player. Data only: this file lets `pip install` ship them."""
