"""storyline: raw news in, articles, events, storylines and timelines out."""
