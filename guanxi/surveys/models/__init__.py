from .actions import ImprovementAction
from .questionnaires import Question, Questionnaire, QuestionnaireVersion
from .surveys import Answer, Survey, SurveyOptOut, SurveyResponse
from .waves import SurveyWave, WaveMember, WaveReminder

__all__ = ["Answer", "ImprovementAction", "Question", "Questionnaire", "QuestionnaireVersion", "Survey",
           "SurveyOptOut", "SurveyResponse", "SurveyWave", "WaveMember", "WaveReminder"]
